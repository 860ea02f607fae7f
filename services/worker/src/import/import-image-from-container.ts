import { Readable } from 'node:stream';
import {
  type DbExecutor,
  type ImageStore,
  TaskMessage,
  type TaskOutcomeWriter,
  undefinedIfNotFound,
} from '@cloud-images/shared';
import {
  createVhdBodyVerifier,
  encodeAllocationMap,
  inspectVhdMetadata,
  isVhdValidationError,
  type VhdFacts,
  type VhdMetadata,
} from '@cloud-images/vhd';
import type { Logger } from 'pino';
import { TaskFailedError, throwIfShuttingDown } from '../errors.js';
import type { ImageRepository } from '../images/image-repository.js';
import { chainStreams } from '../storage/stream-chain.js';
import type { TenantObjectStore, TenantObjectStores } from '../storage/tenant-object-store.js';
import type { TaskRunContext } from '../tasks/task-run-context.js';
import { reserveImageBytes } from './image-bytes-quota.js';
import { parseImportInput } from './import-task-input.js';

export interface ImportDependencies {
  images: ImageRepository;
  outcomes: TaskOutcomeWriter;
  tenantStores: TenantObjectStores;
  imageStore: ImageStore;
  maxVirtualSize: number;
  /** max_image_bytes for tenants whose own column is null. */
  defaultMaxImageBytes: number;
  inTransaction: <T>(work: (tx: DbExecutor) => Promise<T>) => Promise<T>;
  logger: Logger;
}

/**
 * The first GET of an import asks for this many bytes: it returns the object's size too, so no stat precedes it.
 * An object this small is then inspected and streamed from memory: the metadata's ranged reads (footer, header,
 * BAT: about 4 GETs) and the body's GET cost nothing more. A bigger object's metadata reads that fall in these
 * bytes (a dynamic disk's headers and BAT) are served from them too. Far below a part (S3_PART_SIZE, at least
 * 5 MiB), so a job's memory bound is unchanged.
 */
export const WHOLE_READ_MAX_BYTES = 4 * 1024 * 1024;

/** Reads of the source object: from the first GET's bytes where they reach, else from S3. */
interface SourceReader {
  size: number;
  readRange(offset: number, length: number): Promise<Buffer>;
  body(): Promise<Readable>;
}

async function openSourceReader(source: {
  tenant: TenantObjectStore;
  bucket: string;
  object: string;
}): Promise<SourceReader | undefined> {
  const objects = source.tenant.objects;
  const first = await undefinedIfNotFound(
    objects.readPrefix(source.bucket, source.object, WHOLE_READ_MAX_BYTES),
  );
  if (!first) return undefined;
  const prefix = first.bytes;
  const whole = prefix.length >= first.size;
  return {
    size: first.size,
    readRange: async (offset, length) =>
      whole || offset + length <= prefix.length
        ? prefix.subarray(offset, Math.min(offset + length, prefix.length))
        : objects.readRange(source.bucket, source.object, offset, length),
    // If the object changed since the first GET, the bytes disagree with its size or its metadata and the
    // verifier rejects them, as it does when it changes between the ranged reads and the body.
    body: async () => (whole ? Readable.from([prefix]) : objects.getStream(source.bucket, source.object)),
  };
}

/**
 * Import use case: the tenant's `<container>/<object>` → validated VHD in the private image store → active image.
 * Safe to run any number of times for one task: the image row is keyed by the task, the stored key by the image,
 * and success is one transaction, so retries converge on one image and one object.
 * Throws TaskFailedError for documented failures (after removing any image row and object), anything else
 * for transient faults.
 */
export async function importImageFromContainer(deps: ImportDependencies, run: TaskRunContext): Promise<void> {
  const { task, progress } = run;
  const request = parseImportInput(task.input);
  const tenant = await deps.tenantStores.forTenant(task.tenantId);
  const source = { tenant, bucket: tenant.bucketForContainer(request.container), object: request.object };

  const reader = await openSourceReader(source);
  if (!reader) {
    throw new TaskFailedError(
      TaskMessage.importObjectNotFound,
      `${source.bucket}/${source.object} does not exist`,
    );
  }

  await deps.inTransaction((tx) => reserveImageBytes(tx, task, reader.size, deps.defaultMaxImageBytes));
  progress.startStage('inspecting', reader.size);
  const inspected = await inspectVhdMetadata({
    size: reader.size,
    readRange: (offset, length) => reader.readRange(offset, length),
    maxVirtualSize: deps.maxVirtualSize,
  });
  if (!inspected.ok) throw new TaskFailedError(inspected.message, `${inspected.code}: ${inspected.detail}`);
  throwIfShuttingDown(run.signal);

  const image = await deps.images.upsertSavingImageForTask({
    taskId: task.id,
    tenantId: task.tenantId,
    name: request.imageName,
  });
  if (!image) {
    throw new TaskFailedError(
      TaskMessage.importImageDeleted,
      `the image of task ${task.id} was deleted; the retried import does not bring it back`,
    );
  }
  let facts: VhdFacts;
  try {
    facts = await copyValidatedVhd(deps, run, reader, inspected.metadata, image.storageKey);
  } catch (error) {
    if (error instanceof TaskFailedError) await discardImage(deps, image);
    throw error;
  }

  // The row keeps the last stage at 100 % once the task is done.
  await progress.flush();
  const finished = await deps
    .inTransaction(async (tx) => {
      const activated = await deps.images.activate(
        image.id,
        {
          size: facts.physicalSize,
          virtualSize: facts.virtualSize,
          checksum: facts.md5,
          osHashValue: facts.sha512,
          vhdType: facts.diskType,
          allocationMapBase64: encodeAllocationMap(facts.allocationMap),
        },
        tx,
      );
      // Both or neither: an active image must always belong to a successful task.
      if (!activated || !(await deps.outcomes.succeed(task.id, { image_id: image.id }, tx))) {
        throw new AlreadySettled();
      }
      return true;
    })
    .catch((error: unknown) => {
      if (error instanceof AlreadySettled) return false;
      throw error;
    });
  if (!finished) {
    deps.logger.warn(
      { taskId: task.id, imageId: image.id },
      'import finished, but the task had already moved on',
    );
  }
}

/** Rolls back the success transaction when another attempt already settled the task. */
class AlreadySettled extends Error {}

/** The one streaming pass: tenant GET → verifier (validate + hash + allocation map) → image-store multipart PUT. */
async function copyValidatedVhd(
  deps: ImportDependencies,
  run: TaskRunContext,
  reader: SourceReader,
  metadata: VhdMetadata,
  storageKey: string,
): Promise<VhdFacts> {
  const store = deps.imageStore;
  // A crashed attempt may have left an unfinished upload of the same key: abort it rather than resume it. An
  // object that fits in one part is uploaded with one PUT, never multipart, so its earlier attempts left no upload
  // and the listing is skipped (if its size changed between attempts, the image-store sweep reclaims the upload).
  if (metadata.size > store.partSize) await store.objects.abortIncompleteUploads(store.bucket, storageKey);
  run.progress.startStage('uploading', metadata.size);
  const body: Readable = await reader.body();
  const verifier = createVhdBodyVerifier(metadata);
  const chain = chainStreams(body, [verifier, run.progress.counter()], run.signal);
  try {
    await store.objects.uploadMultipart({
      bucket: store.bucket,
      key: storageKey,
      source: chain.output,
      partSize: store.partSize,
    });
  } catch (error) {
    const first = chain.firstError() ?? error;
    if (isVhdValidationError(first))
      throw new TaskFailedError(first.message, `${first.code}: ${first.detail}`);
    throwIfShuttingDown(run.signal);
    throw first;
  }
  return verifier.result();
}

/** A rejected import leaves nothing behind: no stored object, no upload parts, no image row. */
async function discardImage(
  deps: ImportDependencies,
  image: { id: string; storageKey: string },
): Promise<void> {
  const store = deps.imageStore;
  await store.objects.abortIncompleteUploads(store.bucket, image.storageKey);
  await store.objects.remove(store.bucket, image.storageKey);
  await deps.images.deleteImage(image.id);
}

/** After a task failed for good on a transient error: remove the half-made image of that task, if any. */
export async function discardImportLeftovers(deps: ImportDependencies, taskId: string): Promise<void> {
  const image = await deps.images.findUnfinishedImageOfTask(taskId);
  if (image) await discardImage(deps, image);
}

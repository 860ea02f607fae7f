import {
  type ImageStore,
  isValidContainerName,
  TaskMessage,
  type TaskOutcomeWriter,
  undefinedIfNotFound,
} from '@cloud-images/shared';
import type { Logger } from 'pino';
import { TaskFailedError, throwIfShuttingDown } from '../errors.js';
import type { ImageRepository } from '../images/image-repository.js';
import { chainStreams } from '../storage/stream-chain.js';
import type { TenantObjectStores } from '../storage/tenant-object-store.js';
import type { TaskRunContext } from '../tasks/task-run-context.js';
import { parseExportInput } from './export-task-input.js';
import { openVhdExportStream } from './vhd-export-stream.js';

export interface ExportDependencies {
  images: ImageRepository;
  outcomes: TaskOutcomeWriter;
  tenantStores: TenantObjectStores;
  imageStore: ImageStore;
  logger: Logger;
}

/** Object metadata naming the task that wrote an export; how a retry recognises its own earlier success. */
export const EXPORT_TASK_METADATA = 'x-amz-meta-cloud-images-task-id';

/**
 * Export use case: an active image of the caller → `<container>/<image_uuid>.vhd` in the caller's account.
 * The object appears only when the multipart upload completes, and carries the task id, so a retry after a
 * crash either finds its own finished object (success) or starts over from a clean slate.
 */
export async function exportImageToContainer(deps: ExportDependencies, run: TaskRunContext): Promise<void> {
  const { task, progress } = run;
  const request = parseExportInput(task.input);
  // Unknown, foreign and inactive images all get the same answer, so existence is not revealed.
  const image = await deps.images.findExportableImage(request.imageId, task.tenantId);
  if (!image)
    throw new TaskFailedError(
      TaskMessage.exportNotOwner,
      `image ${request.imageId} is not exportable by ${task.tenantId}`,
    );
  if (!isValidContainerName(request.container)) {
    throw new TaskFailedError(TaskMessage.exportInvalidContainer(request.container));
  }

  const tenant = await deps.tenantStores.forTenant(task.tenantId);
  const bucket = tenant.bucketForContainer(request.container);
  if (!(await tenant.objects.bucketExists(bucket))) {
    throw new TaskFailedError(TaskMessage.exportContainerNotFound(request.container));
  }
  const objectName = `${image.id}.vhd`;
  const exportLocation = `${request.container}/${objectName}`;
  await tenant.objects.abortIncompleteUploads(bucket, objectName);
  const existing = await undefinedIfNotFound(tenant.objects.stat(bucket, objectName));
  if (existing) {
    if (writtenByTask(existing.metadata, task.id)) {
      await deps.outcomes.succeed(task.id, { export_location: exportLocation });
      return;
    }
    throw new TaskFailedError(TaskMessage.exportObjectExists(objectName, request.container));
  }
  throwIfShuttingDown(run.signal);

  const exported = openVhdExportStream(deps.imageStore, image, request.format);
  progress.startStage('exporting', exported.size);
  const chain = chainStreams(exported.raw, [exported.writer, progress.counter()], run.signal);
  try {
    await tenant.objects.uploadMultipart({
      bucket,
      key: objectName,
      source: chain.output,
      partSize: deps.imageStore.partSize,
      metadata: { [EXPORT_TASK_METADATA]: task.id },
    });
  } catch (error) {
    throwIfShuttingDown(run.signal);
    throw chain.firstError() ?? error;
  }
  await progress.flush();
  if (!(await deps.outcomes.succeed(task.id, { export_location: exportLocation }))) {
    deps.logger.warn({ taskId: task.id }, 'export finished, but the task had already moved on');
  }
}

/** Stat metadata comes without the x-amz-meta- prefix (ObjectStat); accept both spellings anyway. */
function writtenByTask(metaData: Record<string, unknown>, taskId: string): boolean {
  const short = EXPORT_TASK_METADATA.slice('x-amz-meta-'.length);
  return metaData[short] === taskId || metaData[EXPORT_TASK_METADATA] === taskId;
}

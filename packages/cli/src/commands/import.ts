import { basename } from 'node:path';
import { bucketForContainer } from '@cloud-images/shared';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { checkVhdLocally } from '../local-vhd-check.js';
import { ensureContainer, uploadFile } from '../upload.js';
import { finishTask, followTask } from './follow-task.js';

export const DEFAULT_CONTAINER = 'cloud-images-uploads';

/**
 * validate locally → upload (multipart, progress) → create the import task → follow it → the image id.
 * Like `gcloud compute images import`, one command; unlike it, nothing is uploaded when the disk is invalid.
 */
export async function importCommand(ctx: CommandContext): Promise<void> {
  const [file] = ctx.operands as [string];
  const name = ctx.flags['name'];
  if (typeof name !== 'string' || !name) throw new UsageError('import needs --name NAME', 'import');
  const container = typeof ctx.flags['container'] === 'string' ? ctx.flags['container'] : DEFAULT_CONTAINER;

  // Settings first, so a missing token fails before the (possibly long) upload.
  const api = await ctx.api();
  const { store, settings } = await ctx.s3();
  const metadata = await checkVhdLocally(file);
  ctx.say(`${file}: valid ${metadata.diskType} VHD, virtual size ${metadata.virtualSize} bytes`);

  const bucket = bucketForContainer(settings.bucketPrefix, container);
  const key = basename(file);
  await ensureContainer(store, bucket, settings.region);
  const bar = ctx.progress('bytes');
  let started = false;
  const uploaded = await uploadFile({
    store,
    bucket,
    region: settings.region,
    key,
    path: file,
    signal: ctx.signal,
    onBytes: (done, total) => {
      if (!started) bar.start(total, 'upload');
      started = true;
      bar.update(done);
    },
  }).finally(() => bar.stop());
  ctx.say(`uploaded ${uploaded.size} bytes to ${container}/${key}`);

  const created = await api.createTask('import', {
    import_from: `${container}/${key}`,
    image_properties: { name },
  });
  ctx.say(`import task ${created.id} created`);
  const task = await followTask(ctx, api, created.id);
  finishTask(ctx, task, (t) => String(t.result?.['image_id'] ?? ''));
}

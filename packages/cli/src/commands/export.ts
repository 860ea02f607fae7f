import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { bucketForContainer } from '@cloud-images/shared';
import type { CommandContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { finishTask, followTask } from './follow-task.js';

/** Creates the export task, follows it and, with --download FILE, fetches the exported VHD from the container. */
export async function exportCommand(ctx: CommandContext): Promise<void> {
  const [image] = ctx.operands as [string];
  const container = ctx.flags['container'];
  if (typeof container !== 'string' || !container)
    throw new UsageError('export needs --container C', 'export');
  const download = typeof ctx.flags['download'] === 'string' ? ctx.flags['download'] : undefined;
  const api = await ctx.api();
  const s3 = download ? await ctx.s3() : undefined;

  const created = await api.createTask('export', { image_uuid: image, receiving_swift_container: container });
  ctx.say(`export task ${created.id} created`);
  const task = await followTask(ctx, api, created.id);
  const location = String(task.result?.['export_location'] ?? '');
  if (s3 && task.status === 'success') {
    const key = location.slice(container.length + 1);
    const bucket = bucketForContainer(s3.settings.bucketPrefix, container);
    try {
      await pipeline(await s3.store.getStream(bucket, key), createWriteStream(download!), {
        signal: ctx.signal,
      });
    } catch (error) {
      throw new CliError(`download of ${location} to ${download} failed: ${(error as Error).message}`);
    }
    ctx.say(`downloaded ${location} to ${download}`);
  }
  finishTask(ctx, task, () => location);
}

import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { finishTask, followTask } from './follow-task.js';

const STATUSES = ['pending', 'processing', 'success', 'failure'];

/** Rows as aligned text for humans, the API's JSON with --json. */
function printTable<Row extends object>(
  ctx: CommandContext,
  rows: readonly Row[],
  columns: string[],
  json: unknown,
): void {
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const cells = [
    columns,
    ...rows.map((row) => columns.map((c) => String((row as Record<string, unknown>)[c] ?? ''))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  for (const line of cells)
    ctx.stdout.write(
      `${line
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd()}\n`,
    );
}

export async function tasksCommand(ctx: CommandContext): Promise<void> {
  const status = ctx.flags['status'];
  if (status !== undefined && (typeof status !== 'string' || !STATUSES.includes(status))) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`, 'tasks');
  }
  const tasks = await (await ctx.api()).tasks(status as string | undefined);
  printTable(ctx, tasks, ['id', 'type', 'status', 'created_at'], { tasks });
}

export async function watchCommand(ctx: CommandContext): Promise<void> {
  const api = await ctx.api();
  const task = await followTask(ctx, api, ctx.operands[0]!);
  finishTask(ctx, task, (t) => `${t.id} ${t.status} ${JSON.stringify(t.result ?? {})}`);
}

export async function imagesCommand(ctx: CommandContext): Promise<void> {
  const images = await (await ctx.api()).images();
  printTable(ctx, images, ['id', 'name', 'status', 'size', 'created_at'], { images });
}

export async function imageCommand(ctx: CommandContext): Promise<void> {
  const image = await (await ctx.api()).image(ctx.operands[0]!);
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(image, null, 2)}\n`);
  else
    for (const [key, value] of Object.entries(image))
      ctx.stdout.write(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
}

import type { ApiClient, TaskView } from '../api-client.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';

/** Follows a task to its end with a percent bar fed by the task's `progress`; a failed task is a CliError. */
export async function followTask(ctx: CommandContext, api: ApiClient, taskId: string): Promise<TaskView> {
  const bar = ctx.progress('percent');
  bar.start(100, 'pending');
  let lastStage = '';
  const task = await api
    .follow(
      taskId,
      (seen) => {
        const stage = seen.progress?.stage ?? seen.status;
        if (stage !== lastStage) {
          lastStage = stage;
          if (!ctx.stderr.isTTY)
            ctx.say(`task ${taskId}: ${seen.status}${seen.progress ? ` (${stage})` : ''}`);
        }
        bar.update(Math.floor(seen.progress?.percent ?? (seen.status === 'success' ? 100 : 0)), 100, stage);
      },
      ctx.signal,
    )
    .finally(() => bar.stop());
  return task;
}

/** Prints the final task (--json) and turns a failure into its one-line message. */
export function finishTask(ctx: CommandContext, task: TaskView, onSuccess: (task: TaskView) => string): void {
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(task, null, 2)}\n`);
  if (task.status === 'failure')
    throw new CliError(`task ${task.id} failed: ${task.message ?? 'no message'}`);
  if (!ctx.json) ctx.stdout.write(`${onSuccess(task)}\n`);
}

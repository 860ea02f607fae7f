import type { TaskRow } from '@cloud-images/shared';
import type { ProgressReporter } from './progress-reporter.js';

/** What a use case gets for one run of one claimed task. Nothing here knows about the queue. */
export interface TaskRunContext {
  task: TaskRow;
  progress: ProgressReporter;
  /** Fires when the worker shuts down past its deadline: stop streaming and hand the task back. */
  signal: AbortSignal;
}

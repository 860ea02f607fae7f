import { isTerminal, type TaskRow, type TaskView } from '@cloud-images/shared';

export type { TaskView };

import { formatTimestamp } from '../http/timestamps.js';

export const taskPath = (id: string) => `/v2/tasks/${id}`;

/**
 * The ONE task serializer, matching the seeds field for field:
 * - `message` null renders as the string "None" (Rackspace's Python heritage);
 * - `result` only on success; `expires_at` only once the task is terminal;
 * - `progress` only while processing (a documented extension, declared in the task schema).
 */
export function taskView(row: TaskRow): TaskView {
  const view: TaskView = {
    id: row.id,
    type: row.type,
    status: row.status,
    input: row.input,
    owner: row.tenantId,
    message: row.message ?? 'None',
    created_at: formatTimestamp(row.createdAt),
    updated_at: formatTimestamp(row.updatedAt),
    self: taskPath(row.id),
    schema: '/v2/schemas/task',
  };
  if (row.status === 'success' && row.result) view.result = row.result;
  if (isTerminal(row.status) && row.expiresAt) view.expires_at = formatTimestamp(row.expiresAt);
  if (row.status === 'processing' && row.progress) {
    view.progress = {
      stage: row.progress.stage,
      bytes_done: row.progress.bytesDone,
      bytes_total: row.progress.bytesTotal,
      percent: row.progress.percent,
    };
  }
  return view;
}

/** The list form: every field except `input`, `result` and `message` (Glance's task stubs). */
export function taskStubView(row: TaskRow): TaskView {
  const { input: _input, result: _result, message: _message, ...stub } = taskView(row);
  return stub;
}

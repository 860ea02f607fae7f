import type { TaskStatus, TaskType } from '../db/schema.js';

/** A task's progress as the API shows it (a field of our own; Glance has none). */
export interface TaskProgressView {
  stage: string;
  bytes_done: number;
  bytes_total: number | null;
  percent: number | null;
}

/**
 * A task resource as `GET /v2/tasks/{id}` answers it (the seeds' shape, field for field). The API serializes rows
 * into it and the `cloud-images` CLI reads it, so both sides of the wire name the same fields.
 */
export interface TaskView {
  id: string;
  type: TaskType;
  status: TaskStatus;
  input?: Record<string, unknown>;
  result?: Record<string, unknown>;
  owner: string;
  message?: string;
  progress?: TaskProgressView;
  created_at: string;
  updated_at: string;
  expires_at?: string;
  self: string;
  schema: string;
}

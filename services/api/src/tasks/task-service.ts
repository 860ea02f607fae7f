import { type Database, TaskMessage, type TaskRow } from '@cloud-images/shared';
import type { Caller } from '../http/auth.js';
import { BadRequest, Conflict, NotFound } from '../http/errors.js';
import { type ListQuery, parseListQuery } from '../http/list-query.js';
import type { ApiMetrics } from '../operations/metrics.js';
import { parseIdempotencyKey, parseTaskRequest, requestHash } from './task-input.js';
import {
  findVisibleTask,
  insertTaskWithOutbox,
  listVisibleTasks,
  TASK_SORT_KEYS,
  type TaskSortKey,
} from './task-repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const taskListSpec = {
  sortKeys: TASK_SORT_KEYS,
  defaultSortKey: 'created_at' as TaskSortKey,
  filters: { status: ['pending', 'processing', 'success', 'failure'], type: ['import', 'export'] },
} as const;

export interface TaskServiceDeps {
  db: Database;
  taskTtlSeconds: number;
  metrics: ApiMetrics;
  /** Called after a task with a job commits: the relay publishes at once instead of at its next tick. */
  onOutboxWritten: () => void;
}

export type TaskServiceResult = { task: TaskRow; replayed: boolean };

export function createTaskService(deps: TaskServiceDeps) {
  return {
    /**
     * Creates a task. An import naming image properties besides `name` is created already failed
     * (201, status failure, the documented message) and never enqueued: the worker never sees it.
     */
    async create(
      caller: Caller,
      body: unknown,
      idempotencyHeader: string | undefined,
    ): Promise<TaskServiceResult> {
      const idempotencyKey = parseIdempotencyKey(idempotencyHeader);
      const request = parseTaskRequest(body);
      const outcome = await insertTaskWithOutbox(deps.db, {
        tenantId: caller.tenantId,
        type: request.type,
        input: request.input,
        idempotencyKey,
        requestHash: requestHash(request),
        ...(request.hasUnsupportedImageProperty
          ? { failure: { message: TaskMessage.unsupportedImageProperty, ttlSeconds: deps.taskTtlSeconds } }
          : {}),
      });
      if (outcome.kind === 'key-conflict') {
        throw new Conflict(
          `The Idempotency-Key '${idempotencyKey}' was already used with a different request body (task ${outcome.task.id}).`,
        );
      }
      if (outcome.kind === 'created') {
        deps.metrics.tasksCreated.inc({ type: outcome.task.type });
        if (outcome.task.status === 'pending') deps.onOutboxWritten();
      }
      return { task: outcome.task, replayed: outcome.kind === 'replayed' };
    },

    /** Unknown, malformed, expired and other tenants' ids are all the same 404: nothing leaks. */
    async get(caller: Caller, id: string): Promise<TaskRow> {
      const task = UUID.test(id)
        ? await findVisibleTask(deps.db, caller.tenantId, id.toLowerCase())
        : undefined;
      if (!task) throw new NotFound(`No task with id '${id}'.`);
      return task;
    },

    async list(
      caller: Caller,
      rawQuery: Record<string, unknown>,
    ): Promise<{ tasks: TaskRow[]; query: ListQuery<TaskSortKey, 'status' | 'type'> }> {
      const query = parseListQuery(rawQuery, taskListSpec);
      if (query.marker && !(await findVisibleTask(deps.db, caller.tenantId, query.marker))) {
        throw new BadRequest(`Invalid marker '${query.marker}': no such task in this list.`);
      }
      const tasks = await listVisibleTasks(deps.db, {
        tenantId: caller.tenantId,
        sortKey: query.sortKey,
        sortDir: query.sortDir,
        limit: query.limit,
        ...(query.marker ? { marker: query.marker } : {}),
        ...(query.filters.status ? { status: query.filters.status as TaskRow['status'] } : {}),
        ...(query.filters.type ? { type: query.filters.type as TaskRow['type'] } : {}),
      });
      return { tasks, query };
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;

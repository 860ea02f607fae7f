import {
  type Database,
  isUuid,
  TaskMessage,
  type TaskOutcomeWriter,
  type TaskRow,
  type TenantLimitDefaults,
  taskListQuery,
} from '@cloud-images/shared';
import type { Caller } from '../caller.js';
import { ResourceConflictError, ResourceNotFoundError } from '../domain-errors.js';
import { parseListRequest } from '../list-request.js';
import type { ApiMetrics } from '../operations/metrics.js';
import { parseIdempotencyKey, parseTaskRequest, requestHash } from './task-input.js';
import { findVisibleTask, insertTask, listVisibleTasks } from './task-repository.js';

export interface TaskServiceDeps {
  db: Database;
  outcomes: TaskOutcomeWriter;
  metrics: ApiMetrics;
  /** Tenant limits for tenants whose own columns are null. */
  limits: TenantLimitDefaults;
  /** Called after a pending task commits: the dispatcher runs at once instead of at its next tick. */
  onTaskQueued: () => void;
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
      const outcome = await insertTask(
        deps.db,
        deps.outcomes,
        {
          tenantId: caller.tenantId,
          type: request.body.type,
          input: request.body.input,
          idempotencyKey,
          requestHash: requestHash(request.body),
          ...(request.hasUnsupportedImageProperty
            ? { failureMessage: TaskMessage.unsupportedImageProperty }
            : {}),
        },
        deps.limits,
      );
      if (outcome.kind === 'key-conflict') {
        throw new ResourceConflictError(
          `The Idempotency-Key '${idempotencyKey}' was already used with a different request body (task ${outcome.task.id}).`,
        );
      }
      if (outcome.kind === 'created') {
        deps.metrics.tasksCreated.inc({ type: outcome.task.type });
        if (outcome.task.status === 'pending') deps.onTaskQueued();
      }
      return { task: outcome.task, replayed: outcome.kind === 'replayed' };
    },

    /** Unknown, malformed, expired and other tenants' ids are all the same 404: nothing leaks. */
    async get(caller: Caller, id: string): Promise<TaskRow> {
      const task = isUuid(id) ? await findVisibleTask(deps.db, caller.tenantId, id.toLowerCase()) : undefined;
      if (!task) throw new ResourceNotFoundError(`No task with id '${id}'.`);
      return task;
    },

    /** One page of the caller's tasks; `params` are the query parameters, checked against the contract here. */
    async list(caller: Caller, params: Record<string, string>): Promise<{ tasks: TaskRow[]; limit: number }> {
      const query = await parseListRequest(taskListQuery, params, {
        noun: 'task',
        isVisible: async (id) => (await findVisibleTask(deps.db, caller.tenantId, id)) !== undefined,
      });
      const tasks = await listVisibleTasks(deps.db, {
        tenantId: caller.tenantId,
        sortKey: query.sort_key,
        sortDir: query.sort_dir,
        limit: query.limit,
        ...(query.marker ? { marker: query.marker } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.type ? { type: query.type } : {}),
      });
      return { tasks, limit: query.limit };
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;

import { Router } from 'express';
import { callerOf, requireWriteRole } from '../http/auth.js';
import { jsonBody } from '../http/json-body.js';
import { pageLinks, singleQueryParams } from '../http/list-query.js';
import { resource } from '../http/resource-routes.js';
import { assertImportLocationFitsTenant } from './import-location.js';
import type { TaskService } from './task-service.js';
import { taskPath, taskStubView, taskView } from './task-view.js';

export function taskRoutes(service: TaskService, bodyLimitBytes: number): Router {
  const router = Router();

  resource(router, '/v2/tasks', {
    get: [
      async (req, res) => {
        const params = singleQueryParams(req.query as Record<string, unknown>);
        const { tasks, limit } = await service.list(callerOf(res), params);
        res.json({
          tasks: tasks.map(taskStubView),
          ...pageLinks('/v2/tasks', params, tasks, limit),
          schema: '/v2/schemas/tasks',
        });
      },
    ],
    post: [
      requireWriteRole,
      jsonBody(bodyLimitBytes),
      async (req, res) => {
        assertImportLocationFitsTenant(callerOf(res).bucketPrefix, req.body);
        const { task, replayed } = await service.create(callerOf(res), req.body, req.get('idempotency-key'));
        if (replayed) res.set('Idempotent-Replayed', 'true');
        res.status(201).location(taskPath(task.id)).json(taskView(task));
      },
    ],
  });

  // Tasks are deleted only by expiry, hence GET alone (the 405 carries `Allow: GET`).
  resource(router, '/v2/tasks/:id', {
    get: [
      async (req, res) => {
        res.json(taskView(await service.get(callerOf(res), String(req.params.id))));
      },
    ],
  });

  return router;
}

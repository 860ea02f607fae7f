import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { type RequestHandler, Router } from 'express';
import { operatorBasicAuth } from '../http/operator-auth.js';

export const QUEUE_UI_PATH = '/queues';

/**
 * bull-board over the API's own queues (import, export, maintenance), behind the operator credential.
 * Mounted only on the ops listener; the caller mounts nothing when no credential is configured.
 */
export function queueUiRouter(options: {
  queues: Queue[];
  credential: { user: string; password: string };
}): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_UI_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'cloud-images queues' } },
  });
  const router = Router();
  router.use(QUEUE_UI_PATH, operatorBasicAuth(options.credential), adapter.getRouter() as RequestHandler);
  return router;
}

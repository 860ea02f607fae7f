import { Router } from 'express';
import { resource } from '../http/resource-routes.js';
import { imageSchema, imagesSchema } from './image-schema.js';
import { memberSchema, membersSchema } from './member-schema.js';
import { taskSchema, tasksSchema } from './task-schema.js';

export const glanceSchemas = {
  task: taskSchema,
  tasks: tasksSchema,
  image: imageSchema,
  images: imagesSchema,
  member: memberSchema,
  members: membersSchema,
} as const;

export function schemaRoutes(): Router {
  const router = Router();
  for (const [name, schema] of Object.entries(glanceSchemas)) {
    resource(router, `/v2/schemas/${name}`, { get: [(_req, res) => void res.json(schema)] });
  }
  return router;
}

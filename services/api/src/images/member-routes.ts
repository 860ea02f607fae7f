import { Router } from 'express';
import { callerOf, requireWriteRole } from '../http/auth.js';
import { jsonBody } from '../http/json-body.js';
import { resource } from '../http/resource-routes.js';
import type { MemberService } from './member-service.js';
import { memberView } from './member-view.js';

export function memberRoutes(service: MemberService, bodyLimitBytes: number): Router {
  const router = Router();

  resource(router, '/v2/images/:id/members', {
    get: [
      async (req, res) => {
        const members = await service.list(callerOf(res), String(req.params.id));
        res.json({ members: members.map(memberView), schema: '/v2/schemas/members' });
      },
    ],
    post: [
      requireWriteRole,
      jsonBody(bodyLimitBytes),
      async (req, res) => {
        res.json(memberView(await service.add(callerOf(res), String(req.params.id), req.body)));
      },
    ],
  });

  resource(router, '/v2/images/:id/members/:member', {
    get: [
      async (req, res) => {
        res.json(
          memberView(await service.get(callerOf(res), String(req.params.id), String(req.params.member))),
        );
      },
    ],
    put: [
      requireWriteRole,
      jsonBody(bodyLimitBytes),
      async (req, res) => {
        const { id, member } = req.params;
        res.json(memberView(await service.setStatus(callerOf(res), String(id), String(member), req.body)));
      },
    ],
    delete: [
      requireWriteRole,
      async (req, res) => {
        await service.remove(callerOf(res), String(req.params.id), String(req.params.member));
        res.status(204).end();
      },
    ],
  });

  return router;
}

import { type Request, Router } from 'express';
import { resource } from '../http/resource-routes.js';
import { baseUrlOf, versionsDocument } from './version-document.js';

/**
 * Unauthenticated version discovery, as Glance serves it: `GET /` answers 300 Multiple Choices and
 * `GET /versions` 200, both with the versions document. openstacksdk and the `openstack` CLI start here.
 */
export function versionRoutes(trustForwarded: boolean): Router {
  const router = Router();
  const document = (req: Request) =>
    versionsDocument(
      baseUrlOf(
        {
          protocol: req.protocol,
          host: req.get('host'),
          forwardedProto: req.get('x-forwarded-proto'),
          forwardedHost: req.get('x-forwarded-host'),
        },
        trustForwarded,
      ),
    );
  resource(router, '/', { get: [(req, res) => void res.status(300).json(document(req))] });
  resource(router, '/versions', { get: [(req, res) => void res.json(document(req))] });
  return router;
}

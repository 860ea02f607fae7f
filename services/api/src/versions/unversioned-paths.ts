import type { RequestHandler } from 'express';

/** The v2 resources a client may ask for without the version segment. */
const UNVERSIONED_RESOURCE = /^\/(images|schemas|tasks)(\/|\?|$)/;

/**
 * Serves `/images…`, `/schemas…` and `/tasks…` as the CURRENT version (v2), by rewriting the URL before routing.
 *
 * Why: the `openstack` CLI with a token and an endpoint (`OS_AUTH_TYPE=admin_token`, `OS_ENDPOINT=<root>`) pins
 * image API v2 and then uses the endpoint as given, without following the versions document: it asks for
 * `<root>/images`. Glance's version negotiation answers such a path with 300 and the CLI fails; serving v2 there
 * instead lets the CLI work from the same root URL that openstacksdk discovers v2 from. Nothing else changes:
 * `/` and `/versions` still answer the versions document, links still name `/v2/…`, and the rewritten request
 * passes through the same authentication, rate limit and routes as `/v2/…`.
 */
export function serveUnversionedAsCurrent(): RequestHandler {
  return (req, _res, next) => {
    if (UNVERSIONED_RESOURCE.test(req.url)) req.url = `/v2${req.url}`;
    next();
  };
}

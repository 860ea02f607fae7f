import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';

/** SHA-256 first, so both sides have the same length and timingSafeEqual never leaks the secret's length. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * HTTP Basic auth for the operator-only queue UI. Browsers prompt for Basic natively, which is what operators of
 * bull-board/Flower/RabbitMQ's management UI expect. User and password are both compared in constant time,
 * and both comparisons always run, so timing tells nothing about which one was wrong.
 */
export function operatorBasicAuth(credential: { user: string; password: string }): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : '';
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    const userOk = sameSecret(user, credential.user);
    const passwordOk = sameSecret(password, credential.password);
    if (match && colon >= 0 && userOk && passwordOk) return next();
    throw new ApiError(401, 'Unauthorized', 'The queue UI needs the operator credential.', {
      'WWW-Authenticate': 'Basic realm="cloud-images operators", charset="UTF-8"',
    });
  };
}

import type { ErrorBody } from '@cloud-images/shared';

/**
 * The one error hierarchy of the API. Handlers throw these; the error middleware turns each into the one
 * JSON body shape `{"error": {code, title, message}}` (OpenStack-style).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequest extends ApiError {
  constructor(message: string) {
    super(400, 'Bad Request', message);
  }
}

export class Unauthorized extends ApiError {
  constructor(message: string) {
    super(401, 'Unauthorized', message);
  }
}

export class Forbidden extends ApiError {
  constructor(message: string) {
    super(403, 'Forbidden', message);
  }
}

export class NotFound extends ApiError {
  constructor(message: string) {
    super(404, 'Not Found', message);
  }
}

export class MethodNotAllowed extends ApiError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(
      405,
      'Method Not Allowed',
      `The method ${method} is not allowed for ${path}. Allowed: ${allowed.join(', ')}`,
      {
        Allow: allowed.join(', '),
      },
    );
  }
}

export class Conflict extends ApiError {
  constructor(message: string) {
    super(409, 'Conflict', message);
  }
}

export class PayloadTooLarge extends ApiError {
  constructor(message: string) {
    super(413, 'Request Entity Too Large', message);
  }
}

/** Glance's and Rackspace's answer to a tenant over a quota or a rate limit. */
export class OverLimit extends ApiError {
  constructor(message: string, retryAfterSeconds: number) {
    super(413, 'Over Limit', message, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

export class UnsupportedMediaType extends ApiError {
  constructor(message: string) {
    super(415, 'Unsupported Media Type', message);
  }
}

export class RangeNotSatisfiable extends ApiError {
  constructor(message: string, size: number) {
    super(416, 'Requested Range Not Satisfiable', message, { 'Content-Range': `bytes */${size}` });
  }
}

export class ServiceUnavailable extends ApiError {
  constructor(message: string) {
    super(503, 'Service Unavailable', message);
  }
}

/** The contract's error body (nested under `error`, see the shared contract for why). */
export function errorBody(error: ApiError): ErrorBody {
  return { error: { code: error.status, title: error.title, message: error.message } };
}

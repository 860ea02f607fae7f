import type { Logger } from '@cloud-images/shared';
import type { ErrorRequestHandler } from 'express';
import {
  DomainError,
  ForbiddenError,
  InvalidRequestError,
  LimitExceededError,
  OverLimitError,
  ResourceConflictError,
  ResourceNotFoundError,
} from '../domain-errors.js';
import {
  ApiError,
  BadRequest,
  Conflict,
  errorBody,
  Forbidden,
  NotFound,
  OverLimit,
  PayloadTooLarge,
} from './errors.js';

/** Each domain error's HTTP face. A DomainError missing here is a bug, answered 500 by the fallback. */
const domainErrorStatus = new Map<
  abstract new (
    message: string,
  ) => DomainError,
  (message: string) => ApiError
>([
  [InvalidRequestError, (message) => new BadRequest(message)],
  [ResourceNotFoundError, (message) => new NotFound(message)],
  [ResourceConflictError, (message) => new Conflict(message)],
  [ForbiddenError, (message) => new Forbidden(message)],
  [LimitExceededError, (message) => new PayloadTooLarge(message)],
]);

function fromDomainError(error: DomainError): ApiError | undefined {
  // Carries a header besides its message, so it cannot be one of the message-only mappings above.
  if (error instanceof OverLimitError) return new OverLimit(error.message, error.retryAfterSeconds);
  for (const [type, toApiError] of domainErrorStatus) {
    if (error instanceof type) return toApiError(error.message);
  }
  return undefined;
}

/**
 * Errors that mean "a dependency is down", not "the code is wrong": answered 503 so clients retry.
 * Drizzle wraps every failed query in a `DrizzleQueryError` ("Failed query: …") with the driver's error as
 * its `cause`, so the cause chain is searched, not only the error itself.
 */
function isDependencyUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (isUnavailableError(current)) return true;
    current = current.cause;
  }
  return false;
}

function isUnavailableError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' || // admin_shutdown
    code === '57P03' || // cannot_connect_now
    // pg-pool's connect timeout; a connection lost mid-query; a client whose connection died while checked out;
    // a database that refuses connections (ALTER DATABASE … ALLOW_CONNECTIONS false, 55000).
    /timeout exceeded when trying to connect|Connection terminated|not queryable|is not currently accepting connections/i.test(
      error.message,
    )
  );
}

/**
 * The ONE error middleware: every failure leaves the API as `{"error": {code, title, message}}`.
 * Typed `ApiError`s keep their status; anything else is a bug (500) or an unavailable dependency (503),
 * and its details go to the log, never to the client.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    let apiError: ApiError;
    const fromDomain = error instanceof DomainError ? fromDomainError(error) : undefined;
    if (error instanceof ApiError) {
      apiError = error;
    } else if (fromDomain) {
      apiError = fromDomain;
    } else if (isDependencyUnavailable(error)) {
      logger.warn({ err: error, url: req.originalUrl }, 'dependency unavailable');
      apiError = new ApiError(503, 'Service Unavailable', 'A backing service is unavailable; retry later.');
    } else {
      logger.error({ err: error, url: req.originalUrl }, 'unhandled error');
      apiError = new ApiError(500, 'Internal Server Error', 'The server failed to handle the request.');
    }
    if (res.headersSent) {
      // A streamed response already started: the only honest signal left is to cut the connection.
      res.destroy();
      return;
    }
    res.status(apiError.status).set(apiError.headers).json(errorBody(apiError));
  };
}

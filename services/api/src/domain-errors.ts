/**
 * What the API's domain modules (tasks/, images/) throw. They know nothing of HTTP: the one error middleware
 * maps each class to its status and the API's JSON error body.
 */
export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request breaks the contract (a body, a query, a header); the message names the problem. */
export class InvalidRequestError extends DomainError {}

/** No such resource for this caller: unknown, malformed, expired and other tenants' ids look the same. */
export class ResourceNotFoundError extends DomainError {}

/** The request conflicts with what exists (an Idempotency-Key reused with another body). */
export class ResourceConflictError extends DomainError {}

/**
 * A tenant limit or the request rate limit is reached (Glance/Rackspace "413 Over Limit"). The message names
 * the limit and the current count; `retryAfterSeconds` becomes the Retry-After header.
 */
export class OverLimitError extends DomainError {
  constructor(
    readonly limit: string,
    readonly max: number,
    readonly current: number,
    readonly retryAfterSeconds: number,
    message = `Over limit: ${limit} is ${max} and the tenant has ${current}. Retry after ${retryAfterSeconds} s.`,
  ) {
    super(message);
  }
}

/** The caller may see the resource but not do this to it (a member editing a shared image, a protected delete). */
export class ForbiddenError extends DomainError {}

/** The change would pass a per-resource limit (tags, properties, members). */
export class LimitExceededError extends DomainError {}

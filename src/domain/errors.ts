/**
 * Domain errors carry a stable `code`; each edge (HTTP, OAuth 1.0a, CLI) translates them once
 * into its own wire format. Programmer misuse stays a plain TypeError.
 */
export class DomainError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
  }
}

/** A request that needs a right the actor lacks; `right` names it (MediaWiki's rights). */
export class PermissionError extends DomainError {
  readonly right: string;

  constructor(right: string, message = `This action needs the "${right}" right`) {
    super('permission_denied', message);
    this.name = 'PermissionError';
    this.right = right;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
    this.name = 'NotFoundError';
  }
}

/** A dependency (database, Redis) is unreachable: the HTTP edge answers 503. */
export class UnavailableError extends DomainError {
  readonly dependency: string;

  constructor(dependency: string, options?: { cause?: unknown }) {
    super('temporarily_unavailable', `${dependency} is unavailable`, options);
    this.name = 'UnavailableError';
    this.dependency = dependency;
  }
}

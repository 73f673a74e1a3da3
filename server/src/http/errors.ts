// Typed errors: thrown by services, turned into `{ ok:false, error }` acks and HTTP error bodies.
import type { ApiError, ErrorCode } from '@helpline/shared';

const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_payload: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_state: 409,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  origin_not_allowed: 403,
  bad_signature: 401,
  stale_timestamp: 401,
  inbox_disabled: 403,
  not_claimed: 409,
  internal: 500,
};

export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly extra: Partial<Pick<ApiError, 'fields' | 'retryable'>> = {},
  ) {
    super(message);
  }
  get status(): number {
    return HTTP_STATUS[this.code];
  }
  toJSON(): ApiError {
    return { code: this.code, message: this.message, ...this.extra };
  }
}

/** drizzle wraps driver errors (with the query and its parameters in the message): look at the cause. */
export function rootCause(err: unknown): unknown {
  let e = err as { cause?: unknown } | null;
  for (let i = 0; i < 5 && e && typeof e === 'object' && e.cause; i++) e = e.cause as { cause?: unknown };
  return e;
}

/** What may be logged of an error: never a query's parameters (they can hold message text). */
export function loggableError(err: unknown): { name: string; code?: string; message: string } {
  const root = rootCause(err) as { name?: string; code?: string; message?: string } | null;
  const message = String(root?.message ?? err).split('\nparams:')[0]!.slice(0, 300);
  return { name: root?.name ?? 'Error', ...(root?.code ? { code: String(root.code) } : {}), message };
}

const UNAVAILABLE_PG_CODES = ['53300', '57P01', '57P02', '57P03', '08006', '08001', '08003', '08004'];

/** Errors that mean "the database/Redis is unreachable": nothing was stored, the client may retry. */
function isUnavailable(err: unknown): boolean {
  const e = rootCause(err) as { code?: string; message?: string; errno?: string } | null;
  if (!e) return false;
  const code = e.code ?? e.errno ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'EPIPE', ...UNAVAILABLE_PG_CODES].includes(code)) return true;
  return /Connection is closed|Reached the max retries|connect ECONNREFUSED|write EPIPE/.test(e.message ?? '');
}

/** Any thrown value as a safe, typed error (never a stack trace on the wire). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof AppError) return err.toJSON();
  const root = rootCause(err);
  if (root instanceof AppError) return root.toJSON();
  if (isUnavailable(err)) return { code: 'unavailable', message: 'Service temporarily unavailable, please retry', retryable: true };
  return { code: 'internal', message: 'Internal error' };
}

export function httpStatusOf(err: ApiError): number {
  return HTTP_STATUS[err.code];
}

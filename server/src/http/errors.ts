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

/** Errors that mean "the database/Redis is unreachable": nothing was stored, the client may retry. */
function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string; errno?: string } | null;
  if (!e) return false;
  const code = e.code ?? e.errno ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003'].includes(code)) return true;
  return /Connection is closed|Reached the max retries|connect ECONNREFUSED|write EPIPE/.test(e.message ?? '');
}

/** Any thrown value as a safe, typed error (never a stack trace on the wire). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof AppError) return err.toJSON();
  if (isUnavailable(err)) return { code: 'unavailable', message: 'Service temporarily unavailable, please retry', retryable: true };
  return { code: 'internal', message: 'Internal error' };
}

export function httpStatusOf(err: ApiError): number {
  return HTTP_STATUS[err.code];
}

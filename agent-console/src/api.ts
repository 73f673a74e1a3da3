// Typed JSON client for the server's HTTP API. Cookies carry the session (same origin); every
// state-changing request carries the CSRF token from the login / me response.
import type { ApiError as WireError, ErrorCode, LoginResponse } from '@helpline/shared';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: { path: string; message: string }[];
  readonly retryable: boolean;
  constructor(status: number, err: WireError) {
    super(err.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = err.code;
    this.fields = err.fields ?? [];
    this.retryable = err.retryable ?? false;
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { code: 'unavailable', message: 'Network error', retryable: true });
  }
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const err = (json as { error?: WireError } | null)?.error;
    throw new ApiError(res.status, err ?? { code: res.status >= 500 ? 'internal' : 'invalid_payload', message: `HTTP ${res.status}` });
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

export const auth = {
  async login(email: string, password: string): Promise<LoginResponse> {
    const res = await api.post<LoginResponse>('/api/auth/login', { email, password });
    setCsrfToken(res.csrfToken);
    return res;
  },
  /** The current session, or null when not logged in. */
  async me(): Promise<LoginResponse | null> {
    try {
      const res = await api.get<LoginResponse>('/api/auth/me');
      setCsrfToken(res.csrfToken);
      return res;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  async logout(): Promise<void> {
    try {
      await api.post('/api/auth/logout');
    } finally {
      setCsrfToken(null);
    }
  },
};

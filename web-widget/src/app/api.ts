// The widget's few HTTP calls (same origin as the iframe; the server checks the Origin header).
import type { ApiError, OfflineMessageCreated, OfflineMessageRequest, OfflineMessageStatus, OfflineMessageStatusRequest, WidgetConfig } from '@helpline/shared';

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Result<T>> {
  try {
    const res = await fetch(path, {
      method,
      credentials: 'omit',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as T | { error: ApiError };
    if (!res.ok) return { ok: false, error: (json as { error: ApiError }).error ?? { code: 'internal', message: String(res.status) } };
    return { ok: true, data: json as T };
  } catch {
    return { ok: false, error: { code: 'unavailable', message: 'offline', retryable: true } };
  }
}

export const getConfig = () => call<WidgetConfig>('GET', '/api/widget/config');
export const leaveMessage = (p: OfflineMessageRequest) => call<OfflineMessageCreated>('POST', '/api/widget/offline-messages', p);
export const messageStatus = (p: OfflineMessageStatusRequest) => call<OfflineMessageStatus>('POST', '/api/widget/offline-messages/status', p);

// Web Push of alerts in this browser: the service worker (public/sw.js, scope /widget/), the
// permission, the PushManager subscription and telling the platform. The platform keeps only the
// subscription's endpoint, keys and language (docs/alerts.md).
import type { Language, PushKey } from '@helpline/shared';

const SCOPE = '/widget/';
export type PushState = 'unsupported' | 'off' | 'on' | 'blocked' | 'elsewhere';

/** Cross-origin frames may not ask for notifications (Chrome, Firefox): the widget opens itself in a tab for that. */
function crossOriginFrame(): boolean {
  if (window.parent === window) return false;
  try {
    return window.top!.location.origin !== location.origin;
  } catch {
    return true;
  }
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window && window.isSecureContext;

async function publicKey(): Promise<string | null> {
  const r = await fetch('/api/public/push/key', { credentials: 'omit' }).catch(() => null);
  return r?.ok ? ((await r.json()) as PushKey).publicKey : null;
}

/** Where this browser stands; 'unsupported' also when the platform has no push. */
export async function pushState(): Promise<PushState> {
  if (!supported() || !(await publicKey())) return 'unsupported';
  if (crossOriginFrame()) return 'elsewhere';
  if (Notification.permission === 'denied') return 'blocked';
  const reg = await navigator.serviceWorker.getRegistration(SCOPE);
  return (await reg?.pushManager.getSubscription()) ? 'on' : 'off';
}

// keepalive: an unsubscribe sent by quick exit must outlive the page it leaves.
const post = (path: string, body: unknown) => fetch(path, { method: 'POST', credentials: 'omit', keepalive: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export async function subscribe(lang: Language): Promise<PushState> {
  // First, while the tap still counts as one (Safari asks only from a user's gesture).
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'blocked' : 'off';
  const key = await publicKey();
  if (!key) return 'unsupported';
  const reg = await navigator.serviceWorker.register(`${SCOPE}sw.js`, { scope: SCOPE });
  await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)) });
  const res = await post('/api/public/push/subscribe', { ...sub.toJSON(), language: lang });
  if (!res.ok) {
    await sub.unsubscribe();
    return 'off';
  }
  return 'on';
}

export async function unsubscribe(): Promise<PushState> {
  const reg = await navigator.serviceWorker.getRegistration(SCOPE);
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    const auth = sub.toJSON().keys?.auth ?? '';
    // The platform forgets it first; the browser's own unsubscribe then ends it at the push service.
    await post('/api/public/push/unsubscribe', { endpoint: sub.endpoint, auth }).catch(() => undefined);
    await sub.unsubscribe();
  }
  return 'off';
}

/**
 * Quick exit: no notification of the helpline may reach this device afterwards. Ends the subscription
 * (platform, then browser) and removes the service worker, waiting at most `waitMs`. A frame of another
 * site sees only its own (partitioned) registrations: one made in the widget's own tab stays.
 */
export function forgetPush(waitMs: number): Promise<void> {
  if (!('serviceWorker' in navigator)) return Promise.resolve();
  const work = (async () => {
    const reg = await navigator.serviceWorker.getRegistration(SCOPE);
    if (!reg) return;
    await unsubscribe().catch(() => undefined);
    await reg.unregister();
  })().catch(() => undefined);
  return Promise.race([work, new Promise<void>((r) => setTimeout(r, waitMs))]);
}

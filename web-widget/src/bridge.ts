// The postMessage protocol between the loader (on the centre's page) and the widget app (in the
// platform's iframe). Both sides post to one exact origin and check event.origin on every message.

/** Marks our messages among whatever else a host page posts around. */
export const BRIDGE_TAG = 'helpline-widget';

export type AppToLoaderBody =
  /** The app is ready: its accessible title and where a quick exit goes if the app stops answering. */
  | { type: 'ready'; title: string; exitUrl: string }
  /**
   * Open or collapse the iframe (the launcher is inside it). Collapsed, `width` and `height` are the CSS
   * pixels of what the app shows: the launcher, and the quick-exit button beside it while a chat
   * exists. The frame is made exactly that big, so that it covers nothing of the page around them.
   */
  | { type: 'resize'; open: boolean; width?: number; height?: number }
  /** Quick exit: replace the host page with the neutral site. */
  | { type: 'exit'; url: string };
export type AppToLoader = AppToLoaderBody & { tag: typeof BRIDGE_TAG };

export type LoaderToApp = { tag: typeof BRIDGE_TAG } & (
  /** Esc pressed twice on the host page (open or collapsed): end the session, wipe, answer `exit`. */
  | { type: 'quick-exit' }
  /** The child tapped the loader's own launcher before the app was ready: open the panel now. */
  | { type: 'open' }
  /** The loader's launcher had the keyboard focus when the app's took its place: focus the app's. */
  | { type: 'focus' }
);

/** Parameters the loader passes in the iframe URL's hash (never sent to the server). */
export interface FrameParams {
  host: string;
  lang: string;
}

export function isBridgeMessage<T extends { tag: string }>(data: unknown): data is T {
  return typeof data === 'object' && data !== null && (data as { tag?: unknown }).tag === BRIDGE_TAG && typeof (data as { type?: unknown }).type === 'string';
}

/** Only http(s) URLs may become the host page's location (never javascript: or data:). */
export function safeExitUrl(url: string, fallback = 'about:blank'): string {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : fallback;
  } catch {
    return fallback;
  }
}

/** Esc twice within this time triggers the quick exit. */
export const DOUBLE_ESC_MS = 1000;

/**
 * After Esc twice on the host page, the loader leaves on its own if the app has not answered `exit`
 * within this time: getting away matters more than a clean logout.
 */
export const EXIT_FALLBACK_MS = 300;

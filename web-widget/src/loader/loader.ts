// The loader: the one script a centre puts on its pages. It creates the iframe of the widget app
// (served by the platform, so styles and storage stay apart from the host page) and carries out what
// only the host page can do: resizing the frame, hearing Esc twice on the host page and the quick exit's
// location.replace. It shows the frame only once the app inside says it runs, so that a site the
// platform does not allow sees no broken frame. Until then it draws a launcher of its own at once
// (launcher.ts): on a slow phone the app takes seconds to load behind it.
import { BRIDGE_TAG, DOUBLE_ESC_MS, EXIT_FALLBACK_MS, isBridgeMessage, safeExitUrl, type AppToLoader, type LoaderToApp } from '../bridge.js';
import { drawLauncher, launcherLanguage, type StandIn } from './launcher.js';

declare global {
  interface Window {
    __helplineWidget?: boolean;
  }
}

const FALLBACK_EXIT = 'https://www.google.com/';

(function () {
  const w = window;
  const d = document;
  if (w.__helplineWidget) return;
  w.__helplineWidget = true;

  const script = (d.currentScript as HTMLScriptElement | null) ?? d.querySelector<HTMLScriptElement>('script[src*="widget.js"]');
  if (!script) return;
  const platform = new URL(script.src, location.href).origin;
  const lang = script.getAttribute('data-lang') || d.documentElement.lang || '';
  // The child tapped the loader's launcher before the app was ready: open the app once it is.
  let wantOpen = false;
  // data-wait-for-app: draw nothing before the app runs (the behaviour before; `pnpm bench widget`
  // measures it as the baseline).
  let standIn: StandIn | null = script.hasAttribute('data-wait-for-app')
    ? null
    : drawLauncher(d, launcherLanguage([lang, ...(navigator.languages || []), navigator.language]), () => {
        wantOpen = true;
        if (ready) post({ tag: BRIDGE_TAG, type: 'open' });
      });

  const frame = d.createElement('iframe');
  frame.src = `${platform}/widget/#${new URLSearchParams({ host: location.origin, lang }).toString()}`;
  frame.title = 'Chat';
  frame.setAttribute('data-helpline-widget', '');
  const base = 'position:fixed;border:0;margin:0;padding:0;z-index:2147483000;background:transparent;color-scheme:normal;max-width:100vw;max-height:100vh;';
  let open = false;
  /**
   * The app runs and said so. Until then the frame is hidden: a frame the platform refuses to be
   * framed in (a site that is not allowed), or one that fails to load, would show a broken-page icon.
   */
  let ready = false;
  /** The platform said this site may not show the widget: the frame is gone for good. */
  let refused = false;
  /** Collapsed: the size of what the app shows (launcher, quick exit), measured by the app. */
  let collapsed: { width: number; height: number } | null = null;
  let leaving = false;
  let exitUrl = FALLBACK_EXIT;
  let lastEsc = 0;

  const px = (v: unknown, max: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(Math.max(Math.ceil(v), 0), max) : 0);

  const panelBox = () => 'right:0;bottom:0;width:420px;height:680px;' + (w.innerWidth < 480 ? 'width:100vw;height:100vh;height:100dvh;' : '');

  /** The app shows itself (collapsed, or open after an early tap): the loader's launcher goes. */
  function dropStandIn(): void {
    if (standIn?.remove()) {
      // It had the keyboard focus: give it to the app's launcher (or panel), not back to the page.
      frame.focus();
      if (!wantOpen) post({ tag: BRIDGE_TAG, type: 'focus' });
    }
    standIn = null;
  }

  function layout(): void {
    const box = open
      ? panelBox()
      : // Exactly the launcher (and the quick exit beside it): clicks around them reach the page.
        `right:16px;bottom:16px;width:${collapsed?.width ?? 0}px;height:${collapsed?.height ?? 0}px;`;
    const shown = ready && (open || collapsed !== null);
    standIn?.layout(panelBox());
    // After an early tap the "opening…" panel stays until the app's panel is open.
    if (shown && (open || !standIn?.opening)) dropStandIn();
    // !important: the host page's own stylesheet must not resize, reveal or hide the frame.
    frame.style.cssText = (base + box + (shown ? '' : 'visibility:hidden;pointer-events:none;')).replace(/;/g, ' !important;');
  }

  function exit(url: string): void {
    if (leaving) return;
    leaving = true;
    // replace(): the Back button must not bring the child back to this page.
    location.replace(safeExitUrl(url, FALLBACK_EXIT));
  }

  function post(m: LoaderToApp): void {
    frame.contentWindow?.postMessage(m, platform);
  }

  w.addEventListener('message', (e: MessageEvent) => {
    if (e.origin !== platform || e.source !== frame.contentWindow || !isBridgeMessage<AppToLoader>(e.data)) return;
    const m = e.data;
    if (m.type === 'ready') {
      frame.title = String(m.title).slice(0, 100);
      exitUrl = safeExitUrl(m.exitUrl, FALLBACK_EXIT);
      if (!ready && wantOpen) post({ tag: BRIDGE_TAG, type: 'open' });
      ready = true;
      layout();
    } else if (m.type === 'resize') {
      open = !!m.open;
      if (!open) collapsed = { width: px(m.width, 480), height: px(m.height, 240) };
      layout();
    } else if (m.type === 'exit') {
      exit(m.url);
    }
  });

  // Esc twice on the host page, whether the widget is open, collapsed or not chatting at all (keys
  // pressed inside the iframe are the app's own): ask the app to end the session and wipe its storage,
  // but leave anyway if it does not answer quickly. Capture phase: the host page cannot swallow it.
  w.addEventListener(
    'keydown',
    (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.repeat) return;
      const now = Date.now();
      if (now - lastEsc < DOUBLE_ESC_MS) {
        post({ tag: BRIDGE_TAG, type: 'quick-exit' });
        setTimeout(() => exit(exitUrl), EXIT_FALLBACK_MS);
      }
      lastEsc = now;
    },
    true,
  );
  w.addEventListener('resize', () => (open || standIn) && layout());

  // Is this site allowed? Asked beside the frame's own load, not before it (no delay for the centre's
  // sites). A refused frame would never say ready anyway; removing it also spares the refused load. An
  // answer that does not come (network, the page's own CSP) leaves the decision to the frame.
  fetch(`${platform}/api/widget/allowed`, { credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' })
    .then((r) => (r.ok ? (r.json() as Promise<{ allowed?: unknown }>) : null))
    .then((a) => {
      if (a?.allowed === true) return;
      // Not confirmed: the frame alone decides, as it shows itself only once the app runs.
      if (!ready) dropStandIn();
      if (a?.allowed !== false) return;
      refused = true;
      frame.remove();
      console.warn(`Chat widget: ${location.origin} is not allowed to embed it (the platform's log says which setting allows it).`);
    })
    .catch(() => ready || dropStandIn());

  layout();
  let mounted = false;
  const mount = () => mounted || refused || (mounted = !!d.body.appendChild(frame));
  // The app loads behind the loader's launcher: its frame is created once the launcher is painted, so
  // that a slow phone paints the launcher first (the timer: rAF does not run in a background tab).
  const later = () => {
    requestAnimationFrame(() => setTimeout(mount));
    setTimeout(mount, 250);
  };
  if (d.body) (standIn ? later : mount)();
  else d.addEventListener('DOMContentLoaded', standIn ? later : mount);
})();

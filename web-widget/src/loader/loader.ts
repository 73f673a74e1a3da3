// The loader: the one script a centre puts on its pages. It creates the iframe of the widget app
// (served by the platform, so styles and storage stay apart from the host page) and carries out what
// only the host page can do: resizing the frame, hearing Esc twice on the host page and the quick exit's
// location.replace.
import { BRIDGE_TAG, DOUBLE_ESC_MS, EXIT_FALLBACK_MS, isBridgeMessage, safeExitUrl, type AppToLoader, type LoaderToApp } from '../bridge.js';

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

  const frame = d.createElement('iframe');
  frame.src = `${platform}/widget/#${new URLSearchParams({ host: location.origin, lang }).toString()}`;
  frame.title = 'Chat';
  frame.setAttribute('data-helpline-widget', '');
  const base = 'position:fixed;right:0;bottom:0;border:0;margin:0;padding:0;z-index:2147483000;background:transparent;color-scheme:normal;max-width:100vw;max-height:100vh;';
  let open = false;
  /** A chat exists: the collapsed frame also holds the quick-exit button beside the launcher. */
  let dock = false;
  let leaving = false;
  let exitUrl = FALLBACK_EXIT;
  let lastEsc = 0;

  function layout(): void {
    frame.style.cssText = base + (open ? 'width:420px;height:680px;' + (w.innerWidth < 480 ? 'width:100vw;height:100vh;height:100dvh;' : '') : `width:${dock ? 280 : 104}px;height:104px;`);
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
    } else if (m.type === 'resize') {
      open = !!m.open;
      dock = !!m.exit;
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
  w.addEventListener('resize', () => open && layout());

  layout();
  const mount = () => d.body.appendChild(frame);
  if (d.body) mount();
  else d.addEventListener('DOMContentLoaded', mount);
})();

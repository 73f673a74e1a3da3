// The launcher the loader draws at once, before the iframe app has loaded (on a slow phone the app
// takes seconds): plain DOM in a shadow root (the host page's selectors cannot reach it), styled
// through the CSSOM (allowed by a host page's CSP that forbids inline <style>), and handed over to the
// app's own launcher as soon as the app runs. A tap before that shows "opening…" where the panel will
// be; the loader opens the app when it is ready.
import { matchLanguageTag, type Language } from '@helpline/shared';

/** The app's `openChat` in each language (a unit test keeps them equal), and the opening state. */
export const LAUNCHER_LABELS: Record<Language, [open: string, opening: string]> = {
  en: ['Chat with us', 'Opening…'],
  bg: ['Пиши ни', 'Отваряне…'],
  'sr-Cyrl': ['Пиши нам', 'Отварање…'],
  'sr-Latn': ['Piši nam', 'Otvaranje…'],
};

export function launcherLanguage(hints: readonly (string | null | undefined)[]): Language {
  for (const h of hints) {
    const l = matchLanguageTag(h);
    if (l) return l;
  }
  return 'en';
}

// !important on every declaration: the host page's own `!important` rules lose to the element's style.
const css = (s: string) => s.replace(/;/g, ' !important;');
const FONT = 'font:600 14px/1.15 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;';
const RING_ON = 'outline:3px solid #111;outline-offset:-8px;box-shadow:inset 0 0 0 3px #fff;';
const RING_OFF = 'outline:none;box-shadow:inset 0 0 0 1px rgba(0,0,0,.35);';
// The app's collapsed launcher (.launcher in styles.css), at the place the collapsed frame takes.
const BUTTON =
  'all:initial;box-sizing:border-box;display:block;min-width:72px;max-width:88px;height:72px;margin:0;padding:0 14px;' +
  'border:2px solid #fff;border-radius:36px;background:#1f5fa8;color:#fff;text-align:center;cursor:pointer;' +
  FONT;

export interface StandIn {
  /** The child asked to open before the app was ready: the opening panel is shown. */
  readonly opening: boolean;
  /** The opening panel's box follows the open frame's (full screen on a narrow window). */
  layout(panelBox: string): void;
  /** Gone for good (the app took over, or the site is not allowed). True if it held the focus. */
  remove(): boolean;
}

export function drawLauncher(d: Document, lang: Language, onOpen: () => void): StandIn {
  const [label, openingText] = LAUNCHER_LABELS[lang];
  const host = d.createElement('div');
  host.setAttribute('data-helpline-launcher', '');
  host.style.cssText = css('all:initial;position:fixed;right:16px;bottom:16px;z-index:2147483000;');
  const root = host.attachShadow({ mode: 'open' });
  const reduced = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

  const button = d.createElement('button');
  button.type = 'button';
  button.lang = lang;
  button.textContent = label;
  button.setAttribute('aria-expanded', 'false');
  const ring = (on: boolean) => (button.style.cssText = css(BUTTON + (on ? RING_ON : RING_OFF)));
  ring(false);
  // The ring for keyboard focus only, as the app's :focus-visible (a tap opens at once anyway).
  button.addEventListener('focus', () => ring(button.matches(':focus-visible')));
  button.addEventListener('blur', () => ring(false));
  root.appendChild(button);

  let panel: HTMLDivElement | null = null;
  let panelBox = '';
  const stylePanel = () =>
    panel &&
    (panel.style.cssText = css(
      'all:initial;position:fixed;z-index:2147483001;box-sizing:border-box;display:flex;align-items:center;justify-content:center;' +
        'background:#fff;color:#1b1b1b;border:1px solid #767676;border-radius:12px 12px 0 0;' +
        FONT +
        'font-size:16px;' +
        panelBox,
    ));

  button.addEventListener('click', () => {
    if (panel) return;
    panel = d.createElement('div');
    panel.setAttribute('role', 'status');
    panel.tabIndex = -1;
    panel.lang = lang;
    panel.textContent = openingText;
    stylePanel();
    button.remove();
    root.appendChild(panel);
    panel.focus();
    // A slow pulse says something is happening; none for those who asked for less motion.
    if (!reduced && panel.animate) panel.animate([{ opacity: 1 }, { opacity: 0.45 }], { duration: 900, iterations: Infinity, direction: 'alternate' });
    onOpen();
  });

  const mount = () => d.body.appendChild(host);
  if (d.body) mount();
  else d.addEventListener('DOMContentLoaded', mount);

  return {
    get opening() {
      return panel !== null;
    },
    layout(box) {
      panelBox = box;
      stylePanel();
    },
    remove() {
      const focused = d.activeElement === host;
      host.remove();
      return focused;
    },
  };
}

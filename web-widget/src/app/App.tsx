// The widget's shell: launcher (with a quick-exit button beside it while a chat exists), header (language, minimise, quick exit), the current view, footer.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Language, WidgetConfig } from '@helpline/shared';
import { DOUBLE_ESC_MS, EXIT_FALLBACK_MS, safeExitUrl, type AppToLoaderBody } from '../bridge.js';
import { Ctx, useSessionState, type WidgetContext } from './context.js';
import { LANGUAGE_NAMES, pickLanguage, translate, type Key } from './i18n/index.js';
import type { ChatSession } from './session.js';
import { forgetPush } from './push.js';
import { storage } from './storage.js';
import { themeColors } from './theme.js';
import { ChatView } from './views/Chat.js';
import { CheckAnswer, LeaveMessage } from './views/Offline.js';
import { StartView } from './views/Start.js';

export type View = 'start' | 'leave' | 'check';

interface Props {
  config: WidgetConfig;
  session: ChatSession;
  origin: string;
  hostLang: string | null;
  browserLangs: string[];
  toHost(m: AppToLoaderBody): void;
  onQuickExitRequest(handler: () => void): void;
  /** The loader's own launcher, shown until the app ran, was tapped (`open`) or had the focus (`focus`). */
  onLauncherRequest(handler: (what: 'open' | 'focus') => void): void;
}

export function App({ config, session, origin, hostLang, browserLangs, toHost, onQuickExitRequest, onLauncherRequest }: Props) {
  const [lang, setLang] = useState<Language>(() => pickLanguage([storage.get('lang'), hostLang, ...browserLangs], config.languages, config.defaultLanguage));
  const [open, setOpen] = useState(() => storage.get('open') === '1');
  const [view, setView] = useState<View>('start');
  const state = useSessionState(session);
  const launcherRef = useRef<HTMLButtonElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const lastEsc = useRef(0);
  const exitingRef = useRef(false);
  // Focus moves only on the child's own open/close, never on page load (that would pull focus
  // away from the host page).
  const mounted = useRef(false);
  // A chat in this tab (also while it is being resumed after a reload): the quick exit stays in reach
  // when the panel is collapsed.
  const chatting = !!state.conversation || session.hasToken;

  const t = (key: Key, params?: Record<string, string | number>) => translate(lang, key, params);
  const ctx: WidgetContext = useMemo(() => ({ lang, t, config, session, origin }), [lang, config, session, origin]);
  const colors = themeColors(config.primaryColor);

  async function quickExit(waitMs?: number): Promise<void> {
    if (exitingRef.current) return;
    exitingRef.current = true;
    const url = safeExitUrl(config.exitUrl, 'https://www.google.com/');
    await Promise.all([session.quickExit(waitMs), forgetPush(waitMs ?? 1000)]);
    toHost({ type: 'exit', url });
    // Opened directly (not embedded): leave from here.
    if (window.parent === window) location.replace(url);
  }

  useEffect(() => {
    // From the host page: answer before the loader's own fallback would leave without us.
    onQuickExitRequest(() => void quickExit(EXIT_FALLBACK_MS - 100));
    onLauncherRequest((what) => (what === 'open' ? setOpen(true) : launcherRef.current?.focus()));
    // A conversation in progress (reload in the same tab): reconnect at once.
    if (session.hasToken) session.connect();
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'appTitle');
    toHost({ type: 'ready', title: translate(lang, 'appTitle'), exitUrl: config.exitUrl });
  }, [lang]);

  // Collapsed, the frame is exactly as big as the dock (launcher, and the quick exit while a chat
  // exists): a bigger one would swallow clicks meant for the page around it. Measured at once (the
  // loader shows nothing before it knows the size) and again whenever the dock changes (quick exit
  // shown, language, unread count, fonts).
  const dockRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const dock = dockRef.current;
    if (open || !dock) {
      toHost({ type: 'resize', open });
      return;
    }
    let last = '';
    const report = () => {
      const r = dock.getBoundingClientRect();
      const size = { width: Math.ceil(r.width), height: Math.ceil(r.height) };
      if (`${size.width}x${size.height}` === last) return;
      last = `${size.width}x${size.height}`;
      toHost({ type: 'resize', open: false, ...size });
    };
    report();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(report);
    observer.observe(dock);
    return () => observer.disconnect();
  }, [open]);

  useEffect(() => {
    storage.set('open', open ? '1' : null);
    if (open) {
      session.connect();
      session.markRead();
    }
    if (mounted.current) (open ? headingRef : launcherRef).current?.focus();
    mounted.current = true;
  }, [open]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      const now = Date.now();
      if (now - lastEsc.current < DOUBLE_ESC_MS) void quickExit();
      lastEsc.current = now;
    };
    const onVisible = () => session.markRead();
    document.addEventListener('keydown', onKey);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  useEffect(() => {
    if (open) session.markSeen();
  }, [open, state.messages]);

  const changeLang = (l: Language) => {
    setLang(l);
    storage.set('lang', l);
  };

  const style = { '--brand': colors.bg, '--brand-fg': colors.fg } as Record<string, string>;

  const exitButton = (
    <>
      <button type="button" class="exit" aria-describedby="hl-exit-hint" onClick={() => void quickExit()}>
        {t('quickExit')}
      </button>
      <span id="hl-exit-hint" class="sr-only">
        {t('quickExitHint')}
      </span>
    </>
  );

  if (!open) {
    const seen = session.seenSeq;
    const unread = state.messages.filter((m) => m.sender === 'counsellor' && m.seq > seen).length;
    return (
      <div class="dock" ref={dockRef} style={style}>
        {chatting && exitButton}
        <button ref={launcherRef} class="launcher" type="button" aria-expanded="false" onClick={() => setOpen(true)}>
          {t('openChat')}
          {unread > 0 && <span class="badge">{t('unread', { n: unread })}</span>}
        </button>
      </div>
    );
  }
  const inChat = !!state.conversation;
  return (
    <Ctx.Provider value={ctx}>
      <div class="panel" style={style} role="dialog" aria-labelledby="hl-title">
        <header class="top">
          <h1 id="hl-title" ref={headingRef} tabIndex={-1}>
            {config.centreName}
          </h1>
          <button type="button" class="icon-btn" aria-label={t('minimise')} title={t('minimise')} onClick={() => setOpen(false)}>
            –
          </button>
          <div class="top-actions">
            <label for="hl-lang">{t('language')}</label>
            <select id="hl-lang" value={lang} onChange={(e) => changeLang((e.target as HTMLSelectElement).value as Language)}>
              {config.languages.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
            {exitButton}
          </div>
        </header>
        {state.connection === 'refused' ? (
          <main class="body">
            <p class="error" role="alert">
              {t('refused')}
            </p>
          </main>
        ) : inChat ? (
          <ChatView state={state} onLeaveMessage={() => setView('leave')} />
        ) : view === 'leave' ? (
          <LeaveMessage onBack={() => setView('start')} />
        ) : view === 'check' ? (
          <CheckAnswer onBack={() => setView('start')} />
        ) : (
          <StartView state={state} onLeaveMessage={() => setView('leave')} onCheckAnswer={() => setView('check')} />
        )}
        <footer class="foot">
          <a href={new URL(config.reportUrl, origin).href} target="_blank" rel="noopener noreferrer">
            {t('reportIllegal')}
          </a>
        </footer>
      </div>
    </Ctx.Provider>
  );
}

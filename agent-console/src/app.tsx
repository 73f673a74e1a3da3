// The console: login screen, then a shell with role-based navigation from the route registry.
import { softphone } from './counsellor/softphone.js';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { LoginResponse } from '@helpline/shared';
import { ApiError, api, auth } from './api.js';
import { closeAgent, connectAgent, type AgentSocket } from './socket.js';
import { SessionContext, runLogoutCleanups, type SessionValue } from './session.js';
import { homeFor, routesFor } from './routes.js';
import { matches, navigate, usePath } from './router.js';
import { setLanguage, t, useLanguage, type UiLanguage } from './i18n/index.js';
import { LanguageSwitch } from './components/language-switch.js';

export function App() {
  const lang = useLanguage();
  useEffect(() => {
    document.title = t('login.title');
  }, [lang]);
  const [login, setLogin] = useState<LoginResponse | null>(null);
  const [checking, setChecking] = useState(true);
  /** Why the last session ended, when the server ended it. */
  const [ended, setEnded] = useState<SessionEnd | null>(null);

  useEffect(() => {
    auth
      .me()
      .then((l) => setLogin(withOwnLanguage(l)))
      .catch(() => setLogin(null))
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="loading" role="status">{t('common.loading')}</p>;
  if (!login)
    return (
      <LoginScreen
        notice={ended}
        onLogin={(l) => {
          setEnded(null);
          setLogin(withOwnLanguage(l));
        }}
      />
    );
  return (
    <Shell
      login={login}
      onLoggedOut={(why) => {
        setEnded(why ?? null);
        setLogin(null);
      }}
    />
  );
}

type SessionEnd = 'expired' | 'revoked';

/** The console speaks the language the staff member chose, on whatever computer they log in. */
function withOwnLanguage<L extends LoginResponse | null>(l: L): L {
  if (l?.profile.language) setLanguage(l.profile.language);
  return l;
}

/** Keeps a choice made in the console on the staff member's account (it follows them across sessions). */
function saveOwnLanguage(language: UiLanguage): void {
  api.patch<LoginResponse>('/api/auth/me', { language }).catch(() => {
    /* the choice still applies on this computer; the next one tries again */
  });
}

function LoginScreen({ onLogin, notice }: { onLogin: (l: LoginResponse) => void; notice: SessionEnd | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await auth.login(email, password));
    } catch (err) {
      setError(err instanceof ApiError && (err.code === 'unauthorized' || err.status === 401) ? t('login.failed') : err instanceof ApiError && err.code === 'rate_limited' ? t('login.rateLimited') : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="card login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        {notice && (
          <p class="notice" role="status">
            {t(`login.${notice}`)}
          </p>
        )}
        <label>
          {t('login.email')}
          <input type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          {t('login.password')}
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}

function Shell({ login, onLoggedOut }: { login: LoginResponse; onLoggedOut: (why?: SessionEnd) => void }) {
  const [socket] = useState<AgentSocket>(() => connectAgent());
  const path = usePath();
  const routes = routesFor(login.profile.role);

  useEffect(() => {
    // The server ended the session (it expired, or it was revoked: logout elsewhere, account changed).
    const ended = (p: { reason: 'shutdown' | SessionEnd }) => {
      if (p.reason !== 'shutdown') onLoggedOut(p.reason);
    };
    // The session expired or was revoked while the socket was away: back to the login screen.
    const refused = (err: Error & { data?: { code?: string } }) => {
      if (err.data?.code === 'unauthorized') onLoggedOut('expired');
    };
    socket.on('session:ended', ended);
    socket.on('connect_error', refused);
    return () => {
      socket.off('session:ended', ended);
      socket.off('connect_error', refused);
      closeAgent(socket);
      runLogoutCleanups();
    };
  }, [socket]);

  const session = useMemo<SessionValue>(
    () => ({
      profile: login.profile,
      csrfToken: login.csrfToken,
      socket,
      logout: async () => {
        try {
          await auth.logout();
        } finally {
          softphone.stop();
          closeAgent(socket);
          onLoggedOut();
        }
      },
    }),
    [login, socket],
  );

  const active = routes.find((r) => matches(r.path, path));
  useEffect(() => {
    const home = homeFor(login.profile.role);
    if (!active && home) navigate(home);
  }, [active, routes]);

  const Page = active?.component;
  return (
    <SessionContext.Provider value={session}>
      <div class="shell">
        <a class="skip-link" href="#main">
          {t('shell.skipToContent')}
        </a>
        <header class="topbar">
          <span class="brand">{t('shell.title')}</span>
          <nav aria-label={t('shell.navigation')} class="mainnav">
            {routes.map((r) => (
              <a key={r.path} href={'#' + r.path} aria-current={active === r ? 'page' : undefined}>
                {t(r.label)}
                {r.badge && <r.badge />}
              </a>
            ))}
          </nav>
          <div class="topbar-end">
            <span class="who">
              {login.profile.name} · {t('role.' + login.profile.role)}
            </span>
            <LanguageSwitch onChoose={saveOwnLanguage} />
            <button type="button" onClick={() => void session.logout()}>
              {t('shell.logout')}
            </button>
          </div>
        </header>
        {routes.map((r) => (r.live ? <r.live key={r.path} /> : null))}
        <main id="main" class="content" tabIndex={-1}>
          {Page ? <Page subpath={path.slice(active!.path.length)} /> : <p>{t('shell.noSections')}</p>}
        </main>
      </div>
    </SessionContext.Provider>
  );
}

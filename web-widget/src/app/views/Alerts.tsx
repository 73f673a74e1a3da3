// A small, dismissible entry on the start screen: the newest published trend alert in the child's
// language, folded to one line (a native <details>, so keyboard and screen readers work without
// scripts of ours). Dismissed ids are kept in the widget's storage, which quick exit wipes. Texts
// are rendered as text nodes only, never as HTML.
import { useEffect, useState } from 'preact/hooks';
import type { PublicAlert, PublicAlertFeed } from '@helpline/shared';
import { useWidget } from '../context.js';
import type { Key } from '../i18n/index.js';
import { storage } from '../storage.js';
import { PushToggle } from './PushToggle.js';

const DISMISSED = 'alerts.dismissed';
/** The alert a notification was tapped for (`#alert=<id>`, the push's URL): shown open, even if hidden before. */
const wanted = new URLSearchParams(location.hash.slice(1)).get('alert');

export function AlertEntry() {
  const { t, lang } = useWidget();
  const [alerts, setAlerts] = useState<PublicAlert[]>([]);
  const [dismissed, setDismissed] = useState<string[]>(() => storage.getJson<string[]>(DISMISSED, []));

  useEffect(() => {
    let live = true;
    // A missing feed (offline, old server) only means no entry: the chat never waits for it.
    // Opened from a notification: the alert may be newer than a cached feed, so revalidate (ETag).
    fetch(`/api/public/alerts?lang=${encodeURIComponent(lang)}`, { credentials: 'omit', ...(wanted ? { cache: 'no-cache' as const } : {}) })
      .then((r) => (r.ok ? (r.json() as Promise<PublicAlertFeed>) : null))
      .then((f) => live && f && Array.isArray(f.alerts) && setAlerts(f.alerts))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [lang]);

  const alert = alerts.find((a) => a.id === wanted) ?? alerts.find((a) => !dismissed.includes(a.id));
  // Nothing to show: only the way to stop notifications stays.
  if (!alert) return <PushToggle onlyOff />;
  const dismiss = () => {
    // Only ids still published are kept: the list cannot grow without end.
    const next = [...dismissed.filter((id) => alerts.some((a) => a.id === id)), alert.id];
    storage.setJson(DISMISSED, next);
    setDismissed(next);
  };
  return (
    <aside class={`alert-entry sev-${alert.severity}`} aria-label={t('alertsTitle')} lang={alert.language} data-testid="alert-entry">
      <details open={alert.id === wanted}>
        <summary>
          <span class="alert-sev">{t(`alert_${alert.severity}` as Key)}:</span> {alert.title}
        </summary>
        <p>{alert.text}</p>
        <p>
          <strong>{t('alertAdvice')}</strong> {alert.advice}
        </p>
        <PushToggle />
      </details>
      <button type="button" class="alert-dismiss" aria-label={t('alertDismiss', { title: alert.title })} onClick={dismiss}>
        ×
      </button>
    </aside>
  );
}

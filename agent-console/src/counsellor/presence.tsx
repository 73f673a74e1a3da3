import { useState } from 'preact/hooks';
import type { AgentState } from '@helpline/shared';
import { t, errorText, slotsText } from '../i18n/index.js';
import { useNow } from '../components/use-now.js';
import { askNotificationPermission, notificationsSupported } from './alerts.js';
import { secondsUntil } from './text.js';
import type { WorkspaceActions } from './store.js';

export function PresenceBar({ agent, connected, actions }: { agent: AgentState | null; connected: boolean; actions: WorkspaceActions }) {
  const [error, setError] = useState<string | null>(null);
  const [perm, setPerm] = useState(notificationsSupported() ? Notification.permission : 'denied');
  const now = useNow(!!agent?.wrapupUntil);
  const wrapup = secondsUntil(agent?.wrapupUntil ?? null, now);

  const change = async (status: 'available' | 'away') => {
    setError(null);
    const ack = await actions.setStatus(status);
    if (!ack.ok) setError(errorText(ack.error));
  };

  return (
    <section class="presence card" aria-label={t('status.label')}>
      {!connected && (
        <p class="warn" role="status">
          {agent ? t('status.disconnected') : t('status.connecting')}
        </p>
      )}
      <div class="presence-row" role="radiogroup" aria-label={t('status.label')}>
        {(['available', 'away'] as const).map((s) => (
          <button
            key={s}
            type="button"
            role="radio"
            aria-checked={agent?.status === s}
            class={`status-btn status-${s}${agent?.status === s ? ' on' : ''}`}
            disabled={!connected}
            onClick={() => void change(s)}
          >
            {t('status.' + s)}
          </button>
        ))}
      </div>
      <p class="presence-info" aria-live="polite">
        <span class={`dot dot-${agent?.status ?? 'offline'}`} aria-hidden="true" />
        <span data-testid="agent-status">{t('status.' + (agent?.status ?? 'offline'))}</span>
        {' · '}
        <span data-testid="agent-load">{t('status.load', { load: slotsText(agent?.load ?? 0), capacity: slotsText(agent?.capacity ?? 0) })}</span>
      </p>
      {wrapup > 0 && (
        <p class="wrapup" role="status" data-testid="wrapup">
          {t('status.wrapup', { seconds: wrapup })}
        </p>
      )}
      {perm === 'default' && (
        <button type="button" class="link" onClick={() => void askNotificationPermission().then((p) => setPerm(p === 'unsupported' ? 'denied' : p))}>
          {t('offer.enableNotifications')}
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

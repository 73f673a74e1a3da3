import { useEffect, useState } from 'preact/hooks';
import type { Offer } from '@helpline/shared';
import { t, errorText } from '../i18n/index.js';
import { useNow } from '../components/use-now.js';
import { secondsUntil } from './text.js';
import type { WorkspaceActions } from './store.js';

/** Offers waiting for this counsellor; Alt+A accepts and Alt+D declines the oldest one. */
export function OfferList({ offers, actions }: { offers: Offer[]; actions: WorkspaceActions }) {
  const now = useNow(offers.length > 0, 500);
  const [error, setError] = useState<string | null>(null);

  const act = async (offerId: string, kind: 'accept' | 'decline') => {
    setError(null);
    const ack = await (kind === 'accept' ? actions.accept(offerId) : actions.decline(offerId));
    if (!ack.ok) setError(ack.error.code === 'invalid_state' ? t('offer.revoked') : errorText(ack.error));
  };

  useEffect(() => {
    const first = offers[0];
    if (!first) return;
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const k = e.key.toLowerCase();
      if (k === 'a' || e.code === 'KeyA') {
        e.preventDefault();
        void act(first.offerId, 'accept');
      } else if (k === 'd' || e.code === 'KeyD') {
        e.preventDefault();
        void act(first.offerId, 'decline');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [offers]);

  if (!offers.length && !error) return null;
  return (
    <section class="offers" aria-label={t('offer.region')} aria-live="assertive">
      {offers.map((o) => {
        const left = secondsUntil(o.expiresAt, now);
        const c = o.conversation;
        return (
          <article key={o.offerId} class={`offer card${c.priority !== 'normal' ? ' offer-' + c.priority : ''}`} data-testid="offer">
            <h2>{o.transfer ? t('offer.transferTitle') : t('offer.title')}</h2>
            <p class="offer-meta">
              {[c.language && t('language.' + c.language), c.topic && t('topic.' + c.topic), c.ageGroup && t('ageGroup.' + c.ageGroup), t('priority.' + c.priority)].filter(Boolean).join(' · ')}
              {c.riskFlagged && <strong class="badge badge-risk"> {t('conv.risk')}</strong>}
            </p>
            {o.transfer && (
              <blockquote class="transfer-note">
                <span class="muted">{t('offer.transferNote', { name: o.transfer.fromStaffName ?? '—' })}</span> {o.transfer.note}
              </blockquote>
            )}
            <p class="offer-time" role="timer" aria-live="off">
              {t('offer.timeLeft', { seconds: left })}
            </p>
            <div class="row">
              <button type="button" class="primary" aria-keyshortcuts="Alt+A" onClick={() => void act(o.offerId, 'accept')}>
                {t('offer.accept')}
              </button>
              <button type="button" aria-keyshortcuts="Alt+D" onClick={() => void act(o.offerId, 'decline')}>
                {t('offer.decline')}
              </button>
            </div>
            <p class="muted small">{t('offer.shortcuts')}</p>
          </article>
        );
      })}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

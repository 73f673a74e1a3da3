// When nobody can chat: why, the centre's hours, and the other ways to reach it.
import type { ServiceStatus } from '@helpline/shared';
import { useWidget } from '../context.js';

export function Alternatives({ service, onLeaveMessage, onCheckAnswer }: { service: ServiceStatus; onLeaveMessage(): void; onCheckAnswer?: () => void }) {
  const { t, config } = useWidget();
  if (service.open) return null;
  return (
    <section class="note warn" aria-labelledby="hl-closed">
      <h3 id="hl-closed">{t(service.reason === 'out_of_hours' ? 'closed_out_of_hours' : service.reason === 'busy_leave_message' ? 'closed_busy_leave_message' : 'closed_no_counsellor_online')}</h3>
      {config.hoursText && <p>{t('hours', { hours: config.hoursText })}</p>}
      <p>{t('alternatives')}</p>
      <ul class="alts">
        {config.phoneLine && (
          <li>
            <a href={`tel:${config.phoneLine.replace(/[^\d+]/g, '')}`}>{t('callUs', { phone: config.phoneLine })}</a>
          </li>
        )}
        {config.email && (
          <li>
            <a href={`mailto:${config.email}`}>{t('emailUs', { email: config.email })}</a>
          </li>
        )}
        <li>
          <button type="button" class="btn secondary" onClick={onLeaveMessage}>
            {t('leaveMessage')}
          </button>
        </li>
        {onCheckAnswer && (
          <li>
            <button type="button" class="btn secondary" onClick={onCheckAnswer}>
              {t('checkAnswer')}
            </button>
          </li>
        )}
      </ul>
    </section>
  );
}

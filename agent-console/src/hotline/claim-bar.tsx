// Who holds the report: an analyst claims it before assessing (so no two assess it at once), lets it go,
// or sees who has it; a supervisor or admin hands it to an analyst. A claim lapses after a while without
// a step by its holder, and then anyone may take it.
import { useEffect, useState } from 'preact/hooks';
import type { HotlineAnalyst, HotlineReportDetail, StaffProfile } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, errorText, formatTime } from '../i18n/index.js';

export function ClaimBar({ report, me, onChange }: { report: HotlineReportDetail; me: StaffProfile; onChange(d: HotlineReportDetail): void }) {
  const [err, setErr] = useState<string | null>(null);
  const [analysts, setAnalysts] = useState<HotlineAnalyst[]>([]);
  const [to, setTo] = useState('');
  const supervising = me.role === 'supervisor' || me.role === 'admin';
  useEffect(() => {
    if (supervising) void api.get<HotlineAnalyst[]>('/api/hotline/analysts').then(setAnalysts).catch(() => setAnalysts([]));
  }, [supervising]);
  if (report.status === 'closed') return null;
  const run = async (p: Promise<HotlineReportDetail>) => {
    setErr(null);
    try {
      onChange(await p);
    } catch (x) {
      setErr(x instanceof ApiError ? errorText(x) : t('common.error'));
    }
  };
  const c = report.claim;
  const mine = c?.staffId === me.id;
  return (
    <section class="hl-claim card" aria-labelledby="hl-claim-title" data-testid="hl-claim">
      <h2 id="hl-claim-title" class="visually-hidden">
        {t('hl.claim.title')}
      </h2>
      <p role="status">
        {c ? (mine ? t('hl.claim.mine', { until: formatTime(c.lapsesAt) }) : t('hl.claim.held', { name: c.name, until: formatTime(c.lapsesAt) })) : t('hl.claim.free')}
      </p>
      <div class="row">
        {me.role === 'analyst' && !mine && (
          <button type="button" class="primary" onClick={() => void run(api.post(`/api/hotline/reports/${report.id}/claim`, {}))}>
            {t('hl.claim.take')}
          </button>
        )}
        {(mine || (supervising && c)) && (
          <button type="button" onClick={() => void run(api.del(`/api/hotline/reports/${report.id}/claim`))}>
            {t('hl.claim.release')}
          </button>
        )}
        {supervising && (
          <>
            <label for="hl-claim-to">
              {t('hl.claim.to')}
              <select id="hl-claim-to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
                <option value="">{t('common.none')}</option>
                {analysts.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" disabled={!to} onClick={() => void run(api.post(`/api/hotline/reports/${report.id}/claim`, { staffId: to }))}>
              {t('hl.claim.reassign')}
            </button>
          </>
        )}
      </div>
      {err && (
        <p class="error" role="alert">
          {err}
        </p>
      )}
    </section>
  );
}

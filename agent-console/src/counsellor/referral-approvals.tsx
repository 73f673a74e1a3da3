// Four eyes for police: a supervisor other than the requester approves or rejects.
import { useEffect, useState } from 'preact/hooks';
import type { Referral } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, errorText, useLanguage, formatDateTime, seeded } from '../i18n/index.js';
import { useSession } from '../session.js';

export function ReferralApprovalsPage() {
  useLanguage();
  const { profile } = useSession();
  const [list, setList] = useState<Referral[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api
      .get<{ referrals: Referral[] }>('/api/referrals?status=pending_approval')
      .then((r) => setList(r.referrals))
      .catch(() => setError(t('common.error')));
  useEffect(() => void load(), []);

  const decide = async (id: string, d: 'approve' | 'reject') => {
    setError(null);
    try {
      await api.post(`/api/referrals/${id}/${d}`, {});
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('common.error'));
    }
  };

  return (
    <section class="page">
      <h1>{t('referral.pendingTitle')}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {list && list.length === 0 && <p>{t('referral.none')}</p>}
      {list && list.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t('esc.institution')}</th>
              <th>{t('referral.requestedBy')}</th>
              <th>{t('referral.note')}</th>
              <th>{t('referral.when')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.id}>
                <td>{seeded(r.institutionName)}</td>
                <td>{r.requestedByName ?? ''}</td>
                <td>{r.note ?? ''}</td>
                <td>{formatDateTime(r.createdAt)}</td>
                <td class="row">
                  {r.requestedBy === profile.id ? (
                    <span class="muted">{t('referral.status.pending_approval')}</span>
                  ) : (
                    <>
                      <button type="button" class="primary" onClick={() => void decide(r.id, 'approve')} aria-label={`${t('referral.approve')}: ${seeded(r.institutionName)}`}>
                        {t('referral.approve')}
                      </button>
                      <button type="button" class="danger" onClick={() => void decide(r.id, 'reject')} aria-label={`${t('referral.reject')}: ${seeded(r.institutionName)}`}>
                        {t('referral.reject')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

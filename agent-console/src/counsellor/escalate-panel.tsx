// Escalation from a conversation: ask a supervisor, report URLs to the hotline, refer to an
// institution, transfer, give the child a return code.
import { useEffect, useState } from 'preact/hooks';
import type { Institution, Referral, ReturnCodeResponse } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, errorText, seeded } from '../i18n/index.js';
import type { ChatState, WorkspaceActions } from './store.js';
import { HotlineDialog } from './hotline-dialog.js';
import { TransferDialog } from './transfer-dialog.js';

export function EscalatePanel({ chat, actions, onInsert }: { chat: ChatState; actions: WorkspaceActions; onInsert: (text: string) => void }) {
  const c = chat.conv;
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'hotline' | 'transfer' | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const live = c.state === 'active';

  const run = async (f: () => Promise<string | null>) => {
    setError(null);
    setStatus(null);
    try {
      setStatus(await f());
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('common.error'));
    }
  };

  const help = () =>
    run(async () => {
      const ack = await actions.help(c.id);
      if (!ack.ok) throw new ApiError(0, ack.error);
      return t('esc.helpSent');
    });

  const returnCode = () =>
    run(async () => {
      const res = await api.post<ReturnCodeResponse>(`/api/conversations/${c.id}/return-code`, {});
      setCode(res.code);
      return null;
    });

  return (
    <div class="escalate">
      <div class="button-stack">
        <button type="button" onClick={() => void help()} disabled={c.helpRequested} aria-pressed={c.helpRequested}>
          {t('esc.help')}
        </button>
        <button type="button" onClick={() => setDialog('hotline')}>
          {t('esc.hotline')}
        </button>
        <button type="button" onClick={() => setDialog('transfer')} disabled={!live}>
          {t('esc.transfer')}
        </button>
        <button type="button" onClick={() => void returnCode()}>
          {t('esc.returnCode')}
        </button>
      </div>
      {code && (
        <p class="notice" role="status">
          {t('esc.returnCodeIs', { code })}{' '}
          <button type="button" class="link" onClick={() => onInsert(code)} disabled={!live}>
            {t('esc.insertCode')}
          </button>
        </p>
      )}
      {status && (
        <p class="ok" role="status">
          {status}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ReferralForm conversationId={c.id} />
      {dialog === 'hotline' && (
        <HotlineDialog
          chat={chat}
          onClose={() => setDialog(null)}
          onDone={(reference) => {
            setDialog(null);
            setStatus(t('esc.hotlineDone', { reference }));
          }}
        />
      )}
      {dialog === 'transfer' && (
        <TransferDialog
          conversationId={c.id}
          actions={actions}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            setStatus(t('esc.transferDone'));
          }}
        />
      )}
    </div>
  );
}

function ReferralForm({ conversationId }: { conversationId: string }) {
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [referrals, setReferrals] = useState<Referral[]>([]);
  const [institutionId, setInstitutionId] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void api.get<{ institutions: Institution[] }>('/api/institutions').then((r) => setInstitutions(r.institutions)).catch(() => setInstitutions([]));
    void api.get<{ referrals: Referral[] }>(`/api/conversations/${conversationId}/referrals`).then((r) => setReferrals(r.referrals)).catch(() => setReferrals([]));
  }, [conversationId]);

  const chosen = institutions.find((i) => i.id === institutionId);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!institutionId) return;
    setError(null);
    try {
      const r = await api.post<Referral>('/api/referrals', { institutionId, conversationId, ...(note.trim() ? { note: note.trim() } : {}) });
      setReferrals([r, ...referrals]);
      setInstitutionId('');
      setNote('');
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('common.error'));
    }
  };

  return (
    <form class="referral-form" onSubmit={submit}>
      <h3>{t('esc.refer')}</h3>
      <label>
        {t('esc.institution')}
        <select value={institutionId} onChange={(e) => setInstitutionId(e.currentTarget.value)}>
          <option value="">{t('case.choose')}</option>
          {institutions.map((i) => (
            <option key={i.id} value={i.id}>
              {seeded(i.name)} ({t('kind.' + i.kind)})
            </option>
          ))}
        </select>
      </label>
      {chosen?.kind === 'police' && <p class="warn">{t('esc.referPolice')}</p>}
      <label>
        {t('esc.referNote')}
        <input type="text" maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={!institutionId}>
        {t('esc.referSubmit')}
      </button>
      {referrals.length > 0 && (
        <ul class="referral-list" aria-label={t('case.referralsTitle')} data-testid="referrals">
          {referrals.map((r) => (
            <li key={r.id}>
              {seeded(r.institutionName)} — <span class={`ref-${r.status}`}>{t('referral.status.' + r.status)}</span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

// Forwarding (police with four eyes, INHOPE member hotline, hosting provider) and the removal outcome.
import { useEffect, useState } from 'preact/hooks';
import { HOTLINE_ACTION_KINDS, type HotlineActionKind, type HotlineForwardingSuggestion, type HotlineReportDetail, type HotlineRouting, type MemberHotline, type StaffRole } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, formatDate, errorText, regionName, seeded } from '../i18n/index.js';

let membersCache: Promise<MemberHotline[]> | null = null;
const members = () => (membersCache ??= api.get<MemberHotline[]>('/api/hotline/member-hotlines'));
// The centre profile's national police unit, suggested for a police forwarding (not cached: admins edit it).
const routing = () => api.get<HotlineRouting>('/api/hotline/routing').catch(() => null);
const today = () => new Date().toISOString().slice(0, 10);
/** A date input's day as an ISO timestamp at noon UTC (no time-zone surprises around midnight). */
const dayIso = (d: string) => (d ? new Date(`${d}T12:00:00Z`).toISOString() : undefined);

export function ActionsPanel({ report, role, onChange }: { report: HotlineReportDetail; role: StaffRole; onChange(d: HotlineReportDetail): void }) {
  const analyst = role === 'analyst';
  const approver = role === 'supervisor' || role === 'admin';
  const [err, setErr] = useState<string | null>(null);
  const run = async (p: Promise<HotlineReportDetail>) => {
    setErr(null);
    try {
      onChange(await p);
    } catch (x) {
      setErr(x instanceof ApiError ? errorText(x) : t('common.error'));
    }
  };
  const canForward = analyst && ['assessed', 'forwarded', 'content_removed'].includes(report.status);

  return (
    <section aria-labelledby="hl-actions-title">
      <h2 id="hl-actions-title">{t('hl.actions')}</h2>
      {report.actions.length === 0 ? (
        <p class="muted">{t('hl.noActions')}</p>
      ) : (
        <table class="list hl-actions-table">
          <thead>
            <tr>
              <th scope="col">{t('hl.actionKind')}</th>
              <th scope="col">{t('hl.receiver')}</th>
              <th scope="col">{t('hl.sentAt')}</th>
              <th scope="col">{t('hl.receiverRef')}</th>
              <th scope="col">{t('hl.col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {report.actions.map((a) => (
              <tr key={a.id}>
                <td>{t(`hl.kind.${a.kind}`)}</td>
                <td>{a.countryCode ? t('hl.receiverIn', { name: seeded(a.receiverName), country: regionName(a.countryCode) }) : seeded(a.receiverName)}</td>
                <td>{a.sentAt ? formatDate(a.sentAt) : t('common.none')}</td>
                <td>{analyst ? <RefEditor actionId={a.id} value={a.receiverRef ?? ''} onSave={(ref) => run(api.patch(`/api/hotline/actions/${a.id}`, { receiverRef: ref }))} /> : (a.receiverRef ?? t('common.none'))}</td>
                <td>
                  {t(`hl.state.${a.state}`)}
                  {a.state === 'pending_approval' && approver && (
                    <div class="row">
                      <button type="button" class="primary" onClick={() => void run(api.post(`/api/hotline/actions/${a.id}/decision`, { approve: true }))}>
                        {t('hl.approve')}
                      </button>
                      <button type="button" class="danger" onClick={() => void run(api.post(`/api/hotline/actions/${a.id}/decision`, { approve: false }))}>
                        {t('hl.reject')}
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canForward && <NewAction report={report} run={run} />}
      {analyst && report.status === 'forwarded' && <Removal report={report} run={run} />}
      {report.removedAt && (
        <p>
          {t('hl.removedAt')}: {formatDate(report.removedAt)}
        </p>
      )}
      {err && (
        <p class="error" role="alert">
          {err}
        </p>
      )}
    </section>
  );
}

function RefEditor({ actionId, value, onSave }: { actionId: string; value: string; onSave(v: string): Promise<void> }) {
  const [v, setV] = useState(value);
  return (
    <span class="row">
      <label for={`ref-${actionId}`} class="visually-hidden">
        {t('hl.receiverRef')}
      </label>
      <input id={`ref-${actionId}`} value={v} onInput={(e) => setV(e.currentTarget.value)} size={12} />
      {v !== value && (
        <button type="button" onClick={() => void onSave(v)}>
          {t('hl.saveRef')}
        </button>
      )}
    </span>
  );
}

function NewAction({ report, run }: { report: HotlineReportDetail; run(p: Promise<HotlineReportDetail>): Promise<void> }) {
  // The server's suggestions from the centre profile's routing (by hosting country); the first one
  // chooses the form's kind and receiver, the others are a click away.
  const { suggestions, nationalMember } = report.forwarding;
  const first = suggestions[0];
  const [kind, setKind] = useState<HotlineActionKind>(first?.kind ?? 'inhope');
  const [all, setList] = useState<MemberHotline[]>([]);
  // The centre's own member hotline is this centre: never a forwarding target (the server refuses it).
  const list = all.filter((m) => m.code !== nationalMember?.code);
  const provider = report.urls.find((u) => u.assessment?.hostingProvider)?.assessment?.hostingProvider ?? '';
  const [receiver, setReceiver] = useState(first?.receiver ?? '');
  const [ref, setRef] = useState('');
  const [sent, setSent] = useState(today());
  const [police, setPolice] = useState('');
  const suggested = (k: HotlineActionKind) =>
    k === 'inhope' ? (suggestions.find((x) => x.kind === 'inhope')?.receiver ?? '') : k === 'provider' ? provider : (suggestions.find((x) => x.kind === 'police')?.receiver ?? police);
  useEffect(() => {
    void members().then(setList);
    void routing().then((r) => setPolice(r?.policeUnit ?? ''));
  }, []);
  // Once the police unit is known; only fills an empty field, so what the analyst typed stays.
  useEffect(() => {
    if (kind === 'police' && police) setReceiver((r) => r || police);
  }, [police]);
  // The receiver is suggested in the same update as the kind change, never by a later effect that could
  // wipe what the analyst typed right after choosing the kind.
  const chooseKind = (k: HotlineActionKind) => {
    setKind(k);
    setReceiver(suggested(k));
  };
  const applySuggestion = (x: HotlineForwardingSuggestion) => {
    setKind(x.kind);
    setReceiver(x.receiver || (x.kind === 'police' ? police : ''));
  };
  const receiverName = (x: HotlineForwardingSuggestion) =>
    x.kind === 'inhope' ? (all.find((m) => m.code === x.receiver)?.name ?? x.receiver) : x.receiver ? seeded(x.receiver) : t('hl.fw.noPoliceUnit');

  const submit = (e: Event) => {
    e.preventDefault();
    void run(api.post(`/api/hotline/reports/${report.id}/actions`, { kind, receiver, ...(ref ? { receiverRef: ref } : {}), ...(kind !== 'police' && sent ? { sentAt: dayIso(sent) } : {}) }));
    setRef('');
  };
  return (
    <form onSubmit={submit}>
      <fieldset class="hl-fieldset">
        <legend>{t('hl.addAction')}</legend>
        {suggestions.length > 0 && (
          <section aria-labelledby="hl-fw-title" class="hl-suggestions">
            <h3 id="hl-fw-title">{t('hl.fw.title')}</h3>
            <ul>
              {suggestions.map((x) => (
                <li key={x.hostingCountry} data-testid={`hl-fw-${x.hostingCountry}`}>
                  {t(`hl.fw.${x.route}`, { country: regionName(x.hostingCountry), receiver: receiverName(x) })}{' '}
                  <button type="button" onClick={() => applySuggestion(x)}>
                    {t('hl.fw.use', { country: regionName(x.hostingCountry) })}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {nationalMember && <p class="muted">{t('hl.fw.own', { name: nationalMember.name, code: nationalMember.code })}</p>}
        <div class="grid-form">
          <label for="hl-kind">
            {t('hl.actionKind')}
            <select id="hl-kind" value={kind} onChange={(e) => chooseKind(e.currentTarget.value as HotlineActionKind)}>
              {HOTLINE_ACTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`hl.kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label for="hl-receiver">
            {t('hl.receiver')}
            {kind === 'inhope' ? (
              <select id="hl-receiver" value={receiver} onChange={(e) => setReceiver(e.currentTarget.value)} required>
                <option value="">{t('common.none')}</option>
                {list.map((m) => (
                  <option key={m.code} value={m.code}>
                    {m.countryCode} · {m.name}
                  </option>
                ))}
              </select>
            ) : (
              <input id="hl-receiver" value={receiver} onInput={(e) => setReceiver(e.currentTarget.value)} required />
            )}
          </label>
          <label for="hl-ref">
            {t('hl.receiverRef')}
            <input id="hl-ref" value={ref} onInput={(e) => setRef(e.currentTarget.value)} />
          </label>
          {kind !== 'police' && (
            <label for="hl-sent">
              {t('hl.sentAt')}
              <input id="hl-sent" type="date" value={sent} onInput={(e) => setSent(e.currentTarget.value)} />
            </label>
          )}
        </div>
        {kind === 'police' && <p class="muted">{t('hl.policeNeedsApproval')}</p>}
        <button type="submit" class="primary" disabled={!receiver}>
          {t('hl.addAction')}
        </button>
      </fieldset>
    </form>
  );
}

function Removal({ report, run }: { report: HotlineReportDetail; run(p: Promise<HotlineReportDetail>): Promise<void> }) {
  const [day, setDay] = useState(today());
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void run(api.post(`/api/hotline/reports/${report.id}/removal`, day === today() ? {} : { removedAt: dayIso(day) }));
      }}
    >
      <fieldset class="hl-fieldset">
        <legend>{t('hl.outcome')}</legend>
        <div class="row">
          <label for="hl-removed">
            {t('hl.removedAt')}
            <input id="hl-removed" type="date" value={day} onInput={(e) => setDay(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary">
            {t('hl.recordRemoval')}
          </button>
        </div>
      </fieldset>
    </form>
  );
}

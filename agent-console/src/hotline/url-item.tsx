// One reported URL: plain text until the analyst asks for a link; the earlier assessment of the same
// normalised URL; the assessment form (analysts only) with a DNS lookup of the host.
import { useState } from 'preact/hooks';
import {
  HOTLINE_CLASSIFICATIONS,
  HOTLINE_SITE_TYPES,
  HOTLINE_VICTIM_AGES,
  HOTLINE_VICTIM_GENDERS,
  type HotlineAssessmentInput,
  type HotlineReportDetail,
  type HotlineUrl,
} from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, errorText, formatDateTime, formatNumber, seeded } from '../i18n/index.js';
import { navigate } from '../router.js';
import { waitedText } from './wait.js';

const isWebUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

interface Props {
  reportId: string;
  index: number;
  url: HotlineUrl;
  canAssess: boolean;
  onChange(d: HotlineReportDetail): void;
}

export function UrlItem({ reportId, index, url, canAssess, onChange }: Props) {
  const [asLink, setAsLink] = useState(false);
  const n = index + 1;
  const a = url.assessment;
  return (
    <li>
      <p class="hl-url" data-testid="hl-url-text">
        {asLink && isWebUrl(url.url) ? (
          <a href={url.url} target="_blank" rel="noopener noreferrer" referrerpolicy="no-referrer">
            {url.url}
            <span class="visually-hidden"> ({t('hl.newTab')})</span>
          </a>
        ) : (
          url.url
        )}
      </p>
      <button type="button" aria-pressed={asLink} onClick={() => setAsLink(!asLink)}>
        {asLink ? t('hl.hideLink') : t('hl.showAsLink')}
      </button>
      {a?.reusedFromReference ? (
        <p class="hl-earlier">{t('hl.reused', { reference: a.reusedFromReference })}</p>
      ) : url.earlier ? (
        <Earlier reportId={reportId} url={url} earlier={url.earlier} canApply={canAssess && !a} onChange={onChange} />
      ) : null}
      {url.openElsewhere.length > 0 && (
        <div class="hl-earlier" data-testid="hl-open-elsewhere">
          <p>{t('hl.openElsewhere', { n: url.openElsewhere.length })}</p>
          <ul>
            {url.openElsewhere.map((o) => (
              <li key={o.reportId}>
                <button type="button" class="linklike" aria-label={t('hl.open', { reference: o.reference })} onClick={() => navigate(`/hotline/${o.reportId}`)}>
                  {o.reference}
                </button>{' '}
                ({t(`hl.status.${o.status}`)})
              </li>
            ))}
          </ul>
        </div>
      )}
      {a ? (
        <p>
          <strong>{t(`hl.cls.${a.classification}`)}</strong>
          {a.hostingCountry ? ` · ${a.hostingCountry}` : ''}
          {a.hostingProvider ? ` · ${a.hostingProvider}` : ''}
          {a.hostingIp ? ` · ${a.hostingIp}` : ''}
        </p>
      ) : (
        <p class="muted">{t('hl.notAssessed')}</p>
      )}
      <Timeline url={url} />
      {canAssess && <AssessmentForm reportId={reportId} n={n} url={url} onChange={onChange} />}
    </li>
  );
}

/** Notice and takedown of the URL: received, assessed, sent to whom, removed; and the time to removal. */
function Timeline({ url }: { url: HotlineUrl }) {
  return (
    <details class="hl-timeline" data-testid="hl-timeline">
      <summary>{url.hoursToRemoval === null ? t('hl.tl.title') : t('hl.tl.titleRemoved', { hours: formatNumber(url.hoursToRemoval) })}</summary>
      <ol>
        {url.timeline.map((e, i) => (
          <li key={i}>
            {formatDateTime(e.at)}: {e.event === 'sent' && e.kind ? t(`hl.tl.sent.${e.kind}`, { receiver: seeded(e.receiverName ?? '') }) : t(`hl.tl.${e.event}`)}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The earlier assessment of the same URL with its age: the content may have changed, so the analyst decides. */
function Earlier({ reportId, url, earlier, canApply, onChange }: { reportId: string; url: HotlineUrl; earlier: NonNullable<HotlineUrl['earlier']>; canApply: boolean; onChange(d: HotlineReportDetail): void }) {
  const [err, setErr] = useState<string | null>(null);
  const apply = async () => {
    setErr(null);
    try {
      onChange(await api.post<HotlineReportDetail>(`/api/hotline/reports/${reportId}/urls/${url.id}/apply-earlier`, { fromUrlId: earlier.urlId }));
    } catch (x) {
      setErr(x instanceof ApiError ? errorText(x) : t('common.error'));
    }
  };
  return (
    <div class="hl-earlier" data-testid="hl-earlier">
      <p>
        {t('hl.earlierAged', { reference: earlier.reference, age: waitedText(earlier.assessedAt, Date.now()), classification: t(`hl.cls.${earlier.classification}`) })}
        {earlier.hostingCountry ? ` · ${earlier.hostingCountry}` : ''}
        {earlier.hostingProvider ? ` · ${earlier.hostingProvider}` : ''}
      </p>
      {canApply && (
        <>
          <p class="muted">{t('hl.earlierCheck')}</p>
          <button type="button" onClick={() => void apply()}>
            {t('hl.applyEarlier')}
          </button>
        </>
      )}
      {err && (
        <p class="error" role="alert">
          {err}
        </p>
      )}
    </div>
  );
}

function AssessmentForm({ reportId, n, url, onChange }: { reportId: string; n: number; url: HotlineUrl; onChange(d: HotlineReportDetail): void }) {
  const start = url.assessment ?? null;
  const [v, setV] = useState<Record<keyof HotlineAssessmentInput, string>>({
    classification: start?.classification ?? '',
    victimAge: start?.victimAge ?? '',
    victimGender: start?.victimGender ?? '',
    siteType: start?.siteType ?? '',
    hostingIp: start?.hostingIp ?? '',
    hostingProvider: start?.hostingProvider ?? '',
    hostingCountry: start?.hostingCountry ?? '',
  });
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (f: string) => `hl-${url.id}-${f}`;
  const set = (k: keyof HotlineAssessmentInput) => (e: Event) => setV({ ...v, [k]: (e.currentTarget as HTMLInputElement).value });

  const useEarlier = () => {
    const e = url.earlier;
    if (!e) return;
    setV({
      classification: e.classification,
      victimAge: e.victimAge ?? '',
      victimGender: e.victimGender ?? '',
      siteType: e.siteType ?? '',
      hostingIp: e.hostingIp ?? '',
      hostingProvider: e.hostingProvider ?? '',
      hostingCountry: e.hostingCountry ?? '',
    });
  };
  const resolve = async () => {
    setMsg(null);
    try {
      const r = await api.post<{ addresses: string[] }>(`/api/hotline/reports/${reportId}/urls/${url.id}/resolve`);
      if (r.addresses[0]) setV({ ...v, hostingIp: r.addresses[0] });
      else setMsg(t('hl.resolveNone'));
    } catch {
      setErr(t('common.error'));
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    setMsg(null);
    const body: Record<string, string | null> = { classification: v.classification };
    for (const k of ['victimAge', 'victimGender', 'siteType', 'hostingIp', 'hostingProvider', 'hostingCountry'] as const) body[k] = v[k].trim() || null;
    try {
      onChange(await api.put<HotlineReportDetail>(`/api/hotline/reports/${reportId}/urls/${url.id}/assessment`, body));
      setMsg(t('hl.saved'));
    } catch (x) {
      setErr(x instanceof ApiError ? errorText(x) : t('common.error'));
    } finally {
      setBusy(false);
    }
  };
  const select = (k: 'classification' | 'victimAge' | 'victimGender' | 'siteType', label: string, values: readonly string[], prefix: string, required = false) => (
    <label for={id(k)}>
      {label}
      <select id={id(k)} value={v[k]} onChange={set(k)} required={required}>
        <option value="">{t('common.none')}</option>
        {values.map((x) => (
          <option key={x} value={x}>
            {t(`${prefix}.${x}`)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form onSubmit={submit}>
      <fieldset class="hl-fieldset">
        <legend>{t('hl.assess', { n })}</legend>
        <div class="grid-form">
          {select('classification', t('hl.classification'), HOTLINE_CLASSIFICATIONS, 'hl.cls', true)}
          {select('victimAge', t('hl.victimAge'), HOTLINE_VICTIM_AGES, 'hl.age')}
          {select('victimGender', t('hl.victimGender'), HOTLINE_VICTIM_GENDERS, 'hl.gender')}
          {select('siteType', t('hl.siteType'), HOTLINE_SITE_TYPES, 'hl.site')}
          <label for={id('hostingIp')}>
            {t('hl.hostingIp')}
            <input id={id('hostingIp')} value={v.hostingIp} onInput={set('hostingIp')} inputMode="decimal" autocomplete="off" />
          </label>
          <label for={id('hostingProvider')}>
            {t('hl.hostingProvider')}
            <input id={id('hostingProvider')} value={v.hostingProvider} onInput={set('hostingProvider')} autocomplete="off" />
          </label>
          <label for={id('hostingCountry')}>
            {t('hl.hostingCountry')}
            <input id={id('hostingCountry')} value={v.hostingCountry} onInput={set('hostingCountry')} maxLength={2} autocomplete="off" />
          </label>
        </div>
        <div class="row">
          <button type="button" onClick={() => void resolve()}>
            {t('hl.resolve')}
          </button>
          {url.earlier && (
            <button type="button" onClick={useEarlier}>
              {t('hl.useEarlier')}
            </button>
          )}
          <button type="submit" class="primary" disabled={busy || !v.classification}>
            {t('hl.saveAssessment')}
          </button>
        </div>
        {msg && <p role="status">{msg}</p>}
        {err && (
          <p class="error" role="alert">
            {err}
          </p>
        )}
      </fieldset>
    </form>
  );
}

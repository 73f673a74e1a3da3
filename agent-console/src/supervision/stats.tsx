// Statistics of a chosen period: contacts by channel, category (Insafe and CHI), who contacted, age,
// gender, platform, outcome; chat figures (answered, abandoned, speed of answer, handle time, service
// level); each conversation channel against its own target; hotline reports by classification. Charts and tables, and the CSV for the Insafe report.
import { useEffect, useState } from 'preact/hooks';
import type { StatsReport } from '@helpline/shared';
import type { RouteProps } from '../routes.js';
import { api } from '../api.js';
import { t, useLanguage, formatNumber, errorText, getLanguage } from '../i18n/index.js';
import { BarChart } from './charts.js';
import { duration, longDuration } from './use-board.js';
import './i18n.js';
import './supervision.css';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** First day of the current quarter: the Insafe report is quarterly. */
function quarterStart(now = new Date()): string {
  return isoDay(new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)));
}

export function StatsPage(_: RouteProps) {
  useLanguage();
  const [from, setFrom] = useState(quarterStart());
  const [to, setTo] = useState(isoDay(new Date()));
  const [report, setReport] = useState<StatsReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const qs = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const load = () => {
    setError(null);
    api
      .get<StatsReport>(`/api/stats?${qs}`)
      .then(setReport)
      .catch((e: unknown) => setError(errorText(e)));
  };
  useEffect(load, []);

  return (
    <section class="page stats" aria-labelledby="st-title">
      <h1 id="st-title">{t('st.title')}</h1>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          {t('st.from')}
          <input type="date" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('st.to')}
          <input type="date" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          {t('st.show')}
        </button>
        <a href={`/api/stats.csv?${qs}&lang=${getLanguage()}`} download>
          {t('st.csv')}
        </a>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {report && <Report r={report} />}
    </section>
  );
}

function Report({ r }: { r: StatsReport }) {
  const c = r.contacts;
  const secs = (x: number | null) => (x === null ? t('common.none') : duration(x, t));
  return (
    <>
      <div class="card">
        <p>
          <strong>{t('st.contacts', { n: c.total })}</strong> · {t('st.referrals', { n: c.referrals })}
        </p>
      </div>
      <section class="card" aria-labelledby="st-chat">
        <h2 id="st-chat">{t('st.chat')}</h2>
        <dl class="tiles">
          {(
            [
              [t('st.offered'), String(r.chat.offered)],
              [t('st.answered'), String(r.chat.answered)],
              [t('st.abandoned'), String(r.chat.abandoned)],
              [t('st.asa'), secs(r.chat.asaSeconds)],
              [t('st.aht'), secs(r.chat.avgHandleSeconds)],
              [t('st.sl', { target: r.chat.serviceLevel.targetSeconds }), r.chat.serviceLevel.share === null ? t('common.none') : formatNumber(r.chat.serviceLevel.share, { style: 'percent' })],
            ] as const
          ).map(([k, v]) => (
            <div class="tile" key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <ChannelLevels r={r} />
      <div class="stats-grid">
        <Breakdown id="channel" title={t('st.byChannel')} prefix="channel" counts={c.byChannel} />
        <Breakdown id="insafe" title={t('st.byInsafe')} prefix="cat" counts={c.byInsafeCategory} />
        <Breakdown id="chi" title={t('st.byChi')} prefix="chi" counts={c.byChiCategory} />
        <Breakdown id="contact" title={t('st.byContactType')} prefix="contactType" counts={c.byContactType} />
        <Breakdown id="age" title={t('st.byAge')} prefix="ageGroup" counts={c.byAgeGroup} />
        <Breakdown id="gender" title={t('st.byGender')} prefix="gender" counts={c.byGender} />
        <Breakdown id="platform" title={t('st.byPlatform')} prefix="platform" counts={c.byPlatform} />
        <Breakdown id="outcome" title={t('st.byOutcome')} prefix="outcome" counts={c.byOutcome} />
        {r.hotline ? (
          <Breakdown id="hotline" title={`${t('st.hotline', { n: r.hotline.total })} — ${t('st.hotlineByClass')}`} prefix="hl.cls" counts={r.hotline.byClassification} />
        ) : (
          <p class="muted">{t('st.noHotline')}</p>
        )}
      </div>
    </>
  );
}

/** Each conversation channel against its own target: count, answered, share within target, median. */
function ChannelLevels({ r }: { r: StatsReport }) {
  return (
    <section class="card" aria-labelledby="st-channel-sl">
      <h2 id="st-channel-sl">{t('st.byChannelSl')}</h2>
      {r.channels.length === 0 ? (
        <p class="muted">{t('common.none')}</p>
      ) : (
        <table aria-labelledby="st-channel-sl">
          <thead>
            <tr>
              <th scope="col">{t('st.col.channel')}</th>
              <th scope="col">{t('st.col.count')}</th>
              <th scope="col">{t('st.col.answered')}</th>
              <th scope="col">{t('st.abandoned')}</th>
              <th scope="col">{t('st.col.target')}</th>
              <th scope="col">{t('st.col.within')}</th>
              <th scope="col">{t('st.col.median')}</th>
            </tr>
          </thead>
          <tbody>
            {r.channels.map((c) => (
              <tr key={c.channel} data-channel={c.channel}>
                <td>{t(`channel.${c.channel}`)}</td>
                <td>{c.count}</td>
                <td>{c.answered}</td>
                <td>{c.abandoned}</td>
                <td>{longDuration(c.targetSeconds)}</td>
                <td>{c.withinTargetShare === null ? t('common.none') : formatNumber(c.withinTargetShare, { style: 'percent' })}</td>
                <td>{c.medianFirstAnswerSeconds === null ? t('common.none') : longDuration(c.medianFirstAnswerSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Breakdown({ id, title, prefix, counts }: { id: string; title: string; prefix: string; counts: Record<string, number> }) {
  const name = (k: string) => {
    if (k === 'not_recorded') return t('st.notRecorded');
    const key = `${prefix}.${k}`;
    const v = t(key);
    return v === key ? k : v;
  };
  const bars = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => ({ key: k, label: name(k), value: v }));
  return (
    <section class="card" aria-labelledby={`st-${id}`}>
      <h2 id={`st-${id}`}>{title}</h2>
      {bars.length === 0 ? (
        <p class="muted">{t('common.none')}</p>
      ) : (
        <>
          <BarChart title={t('st.chartOf', { title })} bars={bars} />
          <table aria-labelledby={`st-${id}`}>
            <thead>
              <tr>
                <th scope="col">{t('st.key')}</th>
                <th scope="col">{t('st.count')}</th>
              </tr>
            </thead>
            <tbody>
              {bars.map((b) => (
                <tr key={b.key}>
                  <td>{b.label}</td>
                  <td>{b.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

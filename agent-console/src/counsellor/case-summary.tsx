import type { CaseRecord } from '@helpline/shared';
import { t, formatDate, formatDateTime } from '../i18n/index.js';

/** A read-only case record (e.g. an earlier case of a returning child). */
/** `openHref`: where the record opens to be completed (the Cases page). */
export function CaseSummary({ record, openHref }: { record: CaseRecord; openHref?: string }) {
  const rows: [string, string][] = [
    [t('case.channel'), t('channel.' + record.channel)],
    [t('case.contactType'), t('contactType.' + record.contactType)],
    ...(record.ageGroup ? ([[t('case.ageGroup'), t('ageGroup.' + record.ageGroup)]] as [string, string][]) : []),
    [t('case.categories'), record.categories.map((c) => t('cat.' + c)).join(', ')],
    [t('case.chi'), record.chiCategories.map((c) => t('chi.' + c)).join(', ')],
    ...(record.riskLevel ? ([[t('case.riskLevel'), t('risk.' + record.riskLevel)]] as [string, string][]) : []),
    ...(record.outcome ? ([[t('case.outcome'), t('outcome.' + record.outcome)]] as [string, string][]) : []),
  ];
  return (
    <article class="card case-summary">
      <h2>{formatDateTime(record.createdAt)}</h2>
      {openHref && (
        <p class="case-open">
          <a href={openHref} aria-label={t('cases.openRecord', { date: formatDateTime(record.createdAt) })}>
            {t('cases.open')}
          </a>
          {record.followUpOn && !record.followUpDoneAt && <span class="badge">{t('followUp.dueOn', { date: formatDate(`${record.followUpOn}T12:00:00Z`) })}</span>}
        </p>
      )}
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
        <div>
          <dt>{t('case.summary')}</dt>
          <dd class="pre">{record.summary}</dd>
        </div>
      </dl>
    </article>
  );
}

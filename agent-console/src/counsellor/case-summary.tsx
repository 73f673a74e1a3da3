import type { CaseRecord } from '@helpline/shared';
import { t, formatDateTime } from '../i18n/index.js';

/** A read-only case record (e.g. an earlier case of a returning child). */
export function CaseSummary({ record }: { record: CaseRecord }) {
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

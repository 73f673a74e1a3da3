// Durations of the hotline section (a report's wait, an assessment's age) in the staff member's language.
import { t } from '../i18n/index.js';

/** The time since `since`, in the largest units that matter. */
export function waitedText(since: string, now: number): string {
  const min = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
  if (min < 60) return t('hl.wait.min', { m: min });
  const h = Math.floor(min / 60);
  if (h < 48) return t('hl.wait.h', { h, m: min % 60 });
  return t('hl.wait.d', { d: Math.floor(h / 24), h: h % 24 });
}

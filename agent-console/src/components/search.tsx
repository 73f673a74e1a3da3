// Search in the console's lists: a name or word is found in either Serbian script, with or without
// diacritics and in any case ("Petar" finds "Петар", "Dorde" finds "Ђорђе"; see shared/src/serbian.ts).
import { searchFold } from '@helpline/shared';
import { t } from '../i18n/index.js';

/** Whether every word of the query is in one of the fields. */
export function matchesSearch(query: string, ...fields: (string | null | undefined)[]): boolean {
  const words = searchFold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = fields.map((f) => searchFold(f ?? '')).join('\n');
  return words.every((w) => hay.includes(w));
}

export function SearchField({ value, onInput }: { value: string; onInput: (v: string) => void }) {
  return (
    <label class="search-field">
      {t('common.search')}
      <input type="search" value={value} onInput={(e) => onInput(e.currentTarget.value)} />
    </label>
  );
}

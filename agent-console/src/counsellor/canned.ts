// Canned responses per language, fetched once per session and language.
import type { CannedResponse, Language } from '@helpline/shared';
import { api } from '../api.js';
import { onLogout } from '../session.js';
import { matchesSearch } from '../components/search.js';

const cache = new Map<Language, Promise<CannedResponse[]>>();
onLogout(() => cache.clear());

export function cannedFor(language: Language): Promise<CannedResponse[]> {
  let p = cache.get(language);
  if (!p) {
    p = api.get<{ responses: CannedResponse[] }>(`/api/canned?language=${encodeURIComponent(language)}`).then((r) => r.responses);
    p.catch(() => cache.delete(language));
    cache.set(language, p);
  }
  return p;
}

export function forgetCanned(language?: Language): void {
  if (language) cache.delete(language);
  else cache.clear();
}

export function filterCanned(list: readonly CannedResponse[], query: string): CannedResponse[] {
  const q = query.toLowerCase();
  if (!q) return [...list];
  const starts = list.filter((c) => c.shortcut.toLowerCase().startsWith(q));
  // Titles in either Serbian script: "/pozdrav" finds "Поздрав".
  const rest = list.filter((c) => !starts.includes(c) && matchesSearch(query, c.title, c.shortcut));
  return [...starts, ...rest];
}

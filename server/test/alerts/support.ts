// Shared bits of the alert tests: a complete alert in the centre's languages, and a strict XML check.
import { SaxesParser } from 'saxes';

export const HOUR = 3600_000;

export function alertInput(over: { title?: string; expiresInMs?: number; severity?: string; languages?: string[] } = {}) {
  const title = over.title ?? 'Fake parcel messages';
  const langs = over.languages ?? ['en', 'bg', 'sr-Cyrl'];
  const words: Record<string, { title: string; text: string; advice: string }> = {
    en: { title, text: 'Messages say a parcel is waiting and ask for card details.', advice: 'Do not click the link. Tell an adult you trust.' },
    bg: { title: `${title} (bg)`, text: 'Съобщения твърдят, че те чака пратка, и искат данни от карта.', advice: 'Не отваряй линка. Кажи на възрастен, на когото имаш доверие.' },
    'sr-Cyrl': { title: `${title} (sr)`, text: 'Поруке кажу да те чека пакет и траже податке са картице.', advice: 'Не отварај линк. Реци одраслој особи којој верујеш.' },
  };
  return {
    severity: over.severity ?? 'warning',
    expiresAt: new Date(Date.now() + (over.expiresInMs ?? 48 * HOUR)).toISOString(),
    texts: Object.fromEntries(langs.map((l) => [l, words[l]!])),
  };
}

/**
 * Parses `text` with saxes (a conforming, strict XML parser with namespaces): throws on anything not
 * well-formed, and returns the root and the Atom entries.
 */
export function parseXml(text: string): { root: string; entries: { id: string; title: string; lang: string; content: string; category: string }[] } {
  const A = 'http://www.w3.org/2005/Atom';
  const parser = new SaxesParser({ xmlns: true });
  let root = '';
  const entries: { id: string; title: string; lang: string; content: string; category: string }[] = [];
  let entry: (typeof entries)[number] | null = null;
  let field: 'id' | 'title' | 'content' | null = null;
  let error: Error | null = null;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    const name = `{${tag.uri}}${tag.local}`;
    if (!root) root = name;
    if (tag.uri !== A) return;
    if (tag.local === 'entry') {
      const lang = tag.attributes['xml:lang'];
      entry = { id: '', title: '', lang: lang && typeof lang !== 'string' ? lang.value : '', content: '', category: '' };
    } else if (entry && (tag.local === 'id' || tag.local === 'title' || tag.local === 'content')) field = tag.local;
    else if (entry && tag.local === 'category') {
      const term = tag.attributes.term;
      entry.category = term && typeof term !== 'string' ? term.value : '';
    }
  });
  parser.on('text', (t) => {
    if (entry && field) entry[field] += t;
  });
  parser.on('closetag', (tag) => {
    if (tag.uri !== A) return;
    if (tag.local === 'entry' && entry) {
      entries.push(entry);
      entry = null;
    } else if (tag.local === field) field = null;
  });
  parser.write(text).close();
  if (error) throw error;
  return { root, entries };
}

// Shared bits of the alert tests: a complete alert in the centre's languages, and a strict XML check.
import { execFileSync } from 'node:child_process';

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

/** Parses `text` with Python's expat (a conforming XML parser): throws on anything not well-formed. */
export function parseXml(text: string): { root: string; entries: { id: string; title: string; lang: string; content: string; category: string }[] } {
  const script = `
import sys, json, xml.etree.ElementTree as ET
A = '{http://www.w3.org/2005/Atom}'
X = '{http://www.w3.org/XML/1998/namespace}lang'
root = ET.fromstring(sys.stdin.buffer.read())
out = {'root': root.tag, 'entries': [{'id': e.findtext(A+'id'), 'title': e.findtext(A+'title'), 'lang': e.get(X), 'content': e.findtext(A+'content'), 'category': e.find(A+'category').get('term')} for e in root.findall(A+'entry')]}
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: Buffer.from(text, 'utf8') }).toString('utf8'));
}

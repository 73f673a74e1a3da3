// Risk words: a conversation whose child writes one of them is raised to urgent and supervisors are
// alerted. Matching is on a normalised form (lower case, no diacritics, collapsed spaces), by word prefix,
// so "suicidal" matches "suicid" and Serbian Latin is matched with or without diacritics.

export type RiskWordLists = Record<string, string[]>;

/** Defaults per language; the centre edits them in the console (settings key `riskWords`). */
export const DEFAULT_RISK_WORDS: RiskWordLists = {
  en: ['suicid', 'kill myself', 'end my life', 'want to die', 'self-harm', 'self harm', 'cut myself', 'cutting myself', 'hurt myself', 'overdose', 'sextortion', 'blackmail', 'nude photos', 'send nudes'],
  bg: ['самоубийств', 'да се самоубия', 'ще се самоубия', 'искам да умра', 'да сложа край', 'режа се', 'самонараняв', 'нараня себе си', 'изнудв', 'голи снимки', 'сексуално изнудване'],
  'sr-Cyrl': ['самоубиств', 'убићу се', 'убити се', 'желим да умрем', 'сечем се', 'самоповређив', 'повредим себе', 'уцењ', 'уцена', 'голе слике', 'сексуална уцена', 'не желим да живим', 'повређујем се'],
  'sr-Latn': ['samoubistv', 'ubicu se', 'ubiti se', 'zelim da umrem', 'secem se', 'samopovredjiv', 'samopovređiv', 'povredim sebe', 'ucenj', 'ucena', 'gole slike', 'seksualna ucena', 'ne zelim da zivim', 'povredjujem se', 'povređujem se'],
};

export function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'dj')
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// The settings cache hands out the same lists object until they change: normalise each version once.
const normalisedLists = new WeakMap<RiskWordLists, [string, string[]][]>();
function prepared(lists: RiskWordLists): [string, string[]][] {
  let p = normalisedLists.get(lists);
  if (!p) {
    p = Object.entries(lists).map(([list, words]) => [list, words.map(normalise).filter(Boolean).map((w) => ` ${w}`)]);
    normalisedLists.set(lists, p);
  }
  return p;
}

/** First list with a word that starts a word of the text, or null. */
export function findRiskWords(text: string, lists: RiskWordLists): { list: string } | null {
  const hay = ` ${normalise(text)}`;
  for (const [list, needles] of prepared(lists)) {
    if (needles.some((n) => hay.includes(n))) return { list };
  }
  return null;
}

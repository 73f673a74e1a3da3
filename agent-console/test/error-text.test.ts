// The console shows a server error in the staff member's language, from the catalogue by its typed code
// (errorText), never the server's English `message`. The scan reads every console source with the
// TypeScript parser (so strings and comments do not count) and fails on any `.message` read: in this
// code base the only thing with a `message` is an error. The one exception is the API client, which keeps
// the wire text as Error.message for the browser's developer tools. Likewise dates and numbers go through
// the console's Intl helpers (the staff member's language), never toLocaleString() (the browser's).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api.js';
import { errorText, getLanguage, lookup, setLanguage } from '../src/i18n/index.js';

const SRC = join(import.meta.dirname, '../src');
const ALLOWED = new Set(['api.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

/** Every `x.message`, `x?.message`, `x['message']` and `{ message } = x` in a source, as "file:line". */
function messageReads(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (n: ts.Node) => `${relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'message') found.push(at(n));
    else if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression) && n.argumentExpression.text === 'message') found.push(at(n));
    else if (ts.isBindingElement(n) && ts.isObjectBindingPattern(n.parent) && ((n.propertyName && ts.isIdentifier(n.propertyName) ? n.propertyName.text : ts.isIdentifier(n.name) ? n.name.text : '') === 'message')) found.push(at(n));
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** Every toLocaleString / toLocaleDateString / toLocaleTimeString call and every `Intl.` use, as "file:line". */
function localeFormatting(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && (/^toLocale(Date|Time)?String$/.test(n.name.text) || (ts.isIdentifier(n.expression) && n.expression.text === 'Intl')))
      found.push(`${relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('error messages in the console', () => {
  const before = getLanguage();
  afterEach(() => setLanguage(before));

  it("never renders an error's server-side message", () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const reads = files.filter((f) => !ALLOWED.has(relative(SRC, f))).flatMap(messageReads);
    // Use errorText(err) from src/i18n (the catalogue's text for err.code) instead.
    expect(reads).toEqual([]);
  });

  it('finds a message read where it is (the scan itself works)', () => {
    expect(messageReads(join(SRC, 'api.ts')).length).toBeGreaterThan(0);
  });

  it("formats dates and numbers in the staff member's language, not the browser's", () => {
    const uses = sourceFiles(SRC).filter((f) => relative(SRC, f) !== join('i18n', 'index.ts')).flatMap(localeFormatting);
    // Use formatDateTime, formatDate, formatTime or formatNumber from src/i18n instead.
    expect(uses).toEqual([]);
    expect(localeFormatting(join(SRC, 'i18n', 'index.ts')).length).toBeGreaterThan(0);
  });

  it("shows the catalogue's text for the code in the staff member's language", () => {
    const err = new ApiError(403, { code: 'forbidden', message: 'Forbidden by the server' });
    for (const lang of ['bg', 'sr-Cyrl', 'sr-Latn', 'en'] as const) {
      setLanguage(lang);
      expect(errorText(err)).toBe(lookup(lang, 'error.forbidden'));
      expect(errorText(err)).not.toContain('server');
    }
  });
});

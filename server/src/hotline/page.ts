// The public report page, rendered on the server. Its behaviour is in assets/report.js (the CSP allows
// scripts from 'self' only); the words the script needs travel in a JSON data block, which is not run.
import { HOTLINE_CONTENT_TYPES, HOTLINE_LIMITS } from '@helpline/shared';
import { PAGE_LANGUAGE_NAMES, PAGE_TEXT, type PageLang } from './page-text.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function reportPage(opts: { lang: PageLang; languages: readonly PageLang[]; source: 'form' | 'widget'; centreName: string }): string {
  const t = PAGE_TEXT[opts.lang];
  const qs = (lang: PageLang) => `?lang=${lang}${opts.source === 'widget' ? '&amp;src=widget' : ''}`;
  const scriptText = {
    working: t.working,
    submit: t.submit,
    status: t.status,
    actions: t.actions,
    forwardedTo: t.forwardedTo,
    errInvalidUrl: t.errInvalidUrl,
    errNoUrl: t.errNoUrl,
    errRate: t.errRate,
    errNotFound: t.errNotFound,
    errGeneric: t.errGeneric,
    maxUrls: HOTLINE_LIMITS.maxUrls,
    urlMaxChars: HOTLINE_LIMITS.urlMaxChars,
  };
  // `<` escaped so the data block can never close its own element.
  const json = JSON.stringify(scriptText).replace(/</g, '\\u003c');
  const languageLinks = opts.languages
    .filter((l) => l !== opts.lang)
    .map((l) => `<a href="/report${qs(l)}" lang="${l}" hreflang="${l}">${esc(PAGE_LANGUAGE_NAMES[l])}</a>`)
    .join(' ');
  const options = HOTLINE_CONTENT_TYPES.map((c) => `<option value="${c}">${esc(t.ct[c])}</option>`).join('');
  return `<!doctype html>
<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(t.title)} — ${esc(opts.centreName)}</title>
<link rel="stylesheet" href="/report/assets/report.css">
</head>
<body>
<header>
  <p class="centre">${esc(opts.centreName)}</p>
  <nav aria-label="${esc(t.language)}">${languageLinks}</nav>
</header>
<main>
<h1>${esc(t.title)}</h1>
<p>${esc(t.intro)}</p>
<p><strong>${esc(t.anonymous)}</strong></p>
<p class="warn">${esc(t.noFiles)}</p>
<noscript><p class="error">${esc(t.noscript)}</p></noscript>

<form id="report-form" novalidate>
  <input type="hidden" name="source" value="${opts.source}">
  <input type="hidden" name="language" value="${opts.lang}">
  <div class="field">
    <label for="urls">${esc(t.urls)}</label>
    <p class="hint" id="urls-hint">${esc(t.urlsHint)}</p>
    <textarea id="urls" name="urls" rows="4" required aria-describedby="urls-hint urls-error" autocomplete="off" spellcheck="false" inputmode="url" placeholder="https://"></textarea>
    <p class="error" id="urls-error" aria-live="polite"></p>
  </div>
  <div class="field">
    <label for="contentType">${esc(t.contentType)}</label>
    <select id="contentType" name="contentType"><option value="">${esc(t.ctNone)}</option>${options}</select>
  </div>
  <div class="field">
    <label for="whereFound">${esc(t.whereFound)}</label>
    <p class="hint" id="where-hint">${esc(t.whereFoundHint)}</p>
    <input id="whereFound" name="whereFound" type="text" maxlength="${HOTLINE_LIMITS.whereFoundMaxChars}" aria-describedby="where-hint">
  </div>
  <div class="field">
    <label for="description">${esc(t.description)}</label>
    <textarea id="description" name="description" rows="4" maxlength="${HOTLINE_LIMITS.descriptionMaxChars}"></textarea>
  </div>
  <div class="field">
    <label for="email">${esc(t.email)}</label>
    <p class="hint" id="email-hint">${esc(t.emailHint)}</p>
    <input id="email" name="email" type="email" autocomplete="email" maxlength="${HOTLINE_LIMITS.emailMaxChars}" aria-describedby="email-hint">
  </div>
  <div class="hp" aria-hidden="true">
    <label for="website">${esc(t.honeypot)}</label>
    <input id="website" name="website" type="text" tabindex="-1" autocomplete="off">
  </div>
  <button type="submit" id="submit">${esc(t.submit)}</button>
  <p id="form-status" class="error" role="alert"></p>
</form>

<section id="sent" hidden aria-labelledby="sent-title">
  <h2 id="sent-title" tabindex="-1">${esc(t.sentTitle)}</h2>
  <dl>
    <dt>${esc(t.sentRef)}</dt><dd id="sent-reference" class="code"></dd>
    <dt>${esc(t.sentCode)}</dt><dd id="sent-code" class="code"></dd>
  </dl>
  <p>${esc(t.sentKeep)}</p>
  <p><a href="/report${qs(opts.lang)}">${esc(t.another)}</a></p>
</section>

<section aria-labelledby="check-title">
  <h2 id="check-title">${esc(t.checkTitle)}</h2>
  <form id="status-form" novalidate>
    <div class="field">
      <label for="check-reference">${esc(t.reference)}</label>
      <input id="check-reference" name="reference" type="text" autocomplete="off" autocapitalize="characters" required>
    </div>
    <div class="field">
      <label for="check-code">${esc(t.pickupCode)}</label>
      <input id="check-code" name="pickupCode" type="text" autocomplete="off" autocapitalize="characters" required>
    </div>
    <button type="submit" id="check">${esc(t.check)}</button>
  </form>
  <div id="status-result" role="status" aria-live="polite"></div>
</section>
</main>
<script type="application/json" id="hl-text">${json}</script>
<script src="/report/assets/report.js" defer></script>
</body>
</html>`;
}

// Static front-ends built by Vite: the widget loader (/widget.js), the widget app in its iframe
// (/widget/), the console (/console/), and the demo site of a fictitious centre (/demo).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { WidgetAllowed } from '@helpline/shared';
import { allowedWidgetOrigins, isAllowedOrigin, isAllowedSameOrigin, requestOrigin, warnRefusedOrigin } from '../settings/origins.js';
import { demoPage } from './demo.js';

export const WIDGET_DIST = fileURLToPath(new URL('../../../web-widget/dist', import.meta.url));
export const CONSOLE_DIST = fileURLToPath(new URL('../../../agent-console/dist', import.meta.url));

const notBuilt = (what: string) => `${what} is not built yet: run \`pnpm build:web\` (pnpm start does it for you).`;

export async function webRoutes(app: FastifyInstance): Promise<void> {
  const widgetBuilt = existsSync(`${WIDGET_DIST}/widget.js`);
  const consoleBuilt = existsSync(`${CONSOLE_DIST}/index.html`);

  // cacheControl false: each route below says how long its files may be kept (left to the plugin,
  // it would replace the pages' no-store with 'public, max-age=0').
  await app.register(fastifyStatic, { root: WIDGET_DIST, prefix: '/__widget_dist/', serve: false, cacheControl: false });

  app.get('/widget.js', async (_req, reply) => {
    if (!widgetBuilt) return reply.code(503).type('text/plain').send(notBuilt('The widget'));
    return reply.header('cache-control', 'public, max-age=300').header('cross-origin-resource-policy', 'cross-origin').sendFile('widget.js', WIDGET_DIST);
  });

  // The loader asks before it shows anything: on a site that may not frame the widget, the frame would
  // be a broken-page icon. Public and answered to any site: the allowed origins are public anyway, in
  // the frame's CSP. A refusal is logged (once per site) so the centre learns which setting to change.
  app.get('/api/widget/allowed', async (req, reply) => {
    const origin = req.headers.origin;
    const allowed = origin ? await isAllowedOrigin(app, origin, req.headers) : await isAllowedSameOrigin(app, req.headers);
    if (!allowed) warnRefusedOrigin(app, origin ?? requestOrigin(req.headers, app.config.TRUST_PROXY));
    void reply.header('access-control-allow-origin', '*').header('vary', 'origin').header('cache-control', 'no-store');
    const res: WidgetAllowed = { allowed };
    return res;
  });

  // The iframe app: only the centre's own sites may frame it.
  app.get('/widget/*', async (req, reply) => {
    if (!widgetBuilt) return reply.code(503).type('text/plain').send(notBuilt('The widget'));
    const rest = (req.params as { '*': string })['*'] || 'index.html';
    const file = rest.includes('.') ? rest : 'index.html';
    // With no PUBLIC_URL, 'self' is the platform at whatever address this request came to (its /demo
    // at 127.0.0.1 or a LAN address); with PUBLIC_URL set, only that origin and the allowed ones.
    const origins = [...(app.config.PUBLIC_URL ? [] : ["'self'"]), ...(await allowedWidgetOrigins(app))].join(' ');
    reply.header('content-security-policy', widgetCsp(origins));
    reply.removeHeader('x-frame-options');
    if (file === 'index.html') reply.header('cache-control', 'no-store');
    // Not hashed (web-widget/public): the service worker, the web app manifest and its icon change in place.
    else if (UNHASHED.has(file)) reply.header('cache-control', 'no-cache');
    else reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.sendFile(file, `${WIDGET_DIST}/app`);
  });
  app.get('/widget', async (_req, reply) => reply.redirect('/widget/'));

  app.get('/console/*', async (req, reply) => {
    if (!consoleBuilt) return reply.code(503).type('text/plain').send(notBuilt('The console'));
    const rest = (req.params as { '*': string })['*'];
    const asset = rest && rest.includes('.') && !rest.endsWith('.html');
    // Vite's assets carry their content hash in the name; the page that names them is never kept.
    reply.header('cache-control', asset ? 'public, max-age=31536000, immutable' : 'no-store');
    return reply.sendFile(asset ? rest : 'index.html', CONSOLE_DIST);
  });
  app.get('/console', async (_req, reply) => reply.redirect('/console/'));

  app.get('/demo', async (_req, reply) => {
    const w = await app.settings.get('widget');
    return reply.type('text/html; charset=utf-8').send(demoPage(w.centreName));
  });
  app.get('/', async (_req, reply) => reply.redirect('/demo'));
}

/** The widget's files served under their own names (web-widget/public). */
const UNHASHED = new Set(['sw.js', 'manifest.webmanifest', 'icon.svg']);

function widgetCsp(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    // CSP3: 'self' also covers ws: and wss: to this same host; no socket to anywhere else.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

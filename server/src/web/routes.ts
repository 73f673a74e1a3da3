// Static front-ends built by Vite: the widget loader (/widget.js), the widget app in its iframe
// (/widget/), the console (/console/), and the demo site of a fictitious centre (/demo).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { allowedWidgetOrigins } from '../settings/origins.js';
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

  // The iframe app: only the centre's own sites may frame it.
  app.get('/widget/*', async (req, reply) => {
    if (!widgetBuilt) return reply.code(503).type('text/plain').send(notBuilt('The widget'));
    const rest = (req.params as { '*': string })['*'] || 'index.html';
    const file = rest.includes('.') ? rest : 'index.html';
    const origins = [...(await allowedWidgetOrigins(app))].join(' ');
    reply.header('content-security-policy', widgetCsp(origins));
    reply.removeHeader('x-frame-options');
    if (file === 'index.html') reply.header('cache-control', 'no-store');
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

// A local stand-in for the messaging apps' HTTP APIs (Viber REST bot API, Telegram Bot API, Meta Graph
// API for Messenger, Instagram and WhatsApp): a real HTTP server on loopback implementing the endpoints
// the adapters call, as documented. It checks every request's shape and credentials (Viber
// X-Viber-Auth-Token, Telegram's bot token in the path, Meta's Bearer access token), records what came
// and any problem with it, answers as the real API documents, and can be told to answer 429 (with
// Retry-After), 500, a documented error, or nothing at all (hang).
// Docs: https://developers.viber.com/docs/api/rest-bot-api/  https://core.telegram.org/bots/api
//       https://developers.facebook.com/docs/messenger-platform/reference/send-api/
//       https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Endpoint =
  | 'viber.send_message'
  | 'viber.get_account_info'
  | 'viber.set_webhook'
  | 'telegram.sendMessage'
  | 'telegram.getMe'
  | 'telegram.setWebhook'
  | 'telegram.sendChatAction'
  | 'meta.me/messages'
  | 'meta.me'
  | 'meta.phone/messages'
  | 'meta.phone'
  | 'media'
  | 'unknown';

export interface StandInRequest {
  endpoint: Endpoint;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** What does not match the documented request (empty when it is well-formed and authorised). */
  problems: string[];
  at: number;
}

/** A planned answer: an HTTP status (with Retry-After, a body), or no answer at all. */
export type Planned = { status: number; retryAfter?: string; body?: unknown; raw?: string } | 'hang';

export interface StandIn {
  url: string;
  /** The config pointing the server at this stand-in. */
  env: Record<string, string>;
  requests: StandInRequest[];
  /** Credentials the stand-in accepts (any other is refused as the real API refuses it). */
  accept(kind: 'viber' | 'telegram' | 'meta', token: string): void;
  /** Answers for the next requests of one endpoint, in order, before it answers normally again. */
  plan(endpoint: Endpoint, ...answers: Planned[]): void;
  waitFor(pred: (r: StandInRequest) => boolean, timeoutMs?: number): Promise<StandInRequest>;
  of(endpoint: Endpoint): StandInRequest[];
  close(): Promise<void>;
}

let counter = 0;
const json = (res: http.ServerResponse, status: number, body: unknown, raw?: string) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(raw ?? JSON.stringify(body));
};
const isStr = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;

export async function startStandIn(): Promise<StandIn> {
  const tokens = { viber: new Set<string>(), telegram: new Set<string>(), meta: new Set<string>() };
  const plans = new Map<Endpoint, Planned[]>();
  const requests: StandInRequest[] = [];
  const waiters: { pred: (r: StandInRequest) => boolean; resolve(r: StandInRequest): void }[] = [];
  const hanging = new Set<http.ServerResponse>();

  const classify = (method: string, path: string): { endpoint: Endpoint; token?: string } => {
    let m = /^\/viber\/pa\/(send_message|get_account_info|set_webhook)$/.exec(path);
    if (m) return { endpoint: `viber.${m[1]}` as Endpoint };
    m = /^\/telegram\/bot([^/]+)\/(sendMessage|getMe|setWebhook|sendChatAction)$/.exec(path);
    if (m) return { endpoint: `telegram.${m[2]}` as Endpoint, token: decodeURIComponent(m[1]!) };
    if (path === '/meta/v21.0/me/messages') return { endpoint: 'meta.me/messages' };
    if (path === '/meta/v21.0/me') return { endpoint: 'meta.me' };
    m = /^\/meta\/v21\.0\/(\d+)(\/messages)?$/.exec(path);
    if (m) return { endpoint: m[2] ? 'meta.phone/messages' : 'meta.phone' };
    if (path.startsWith('/media/')) return { endpoint: 'media' };
    return { endpoint: 'unknown' };
  };

  function check(r: StandInRequest, token?: string): void {
    const p = r.problems;
    const b = r.body ?? {};
    const post = () => {
      if (r.method !== 'POST') p.push(`${r.endpoint} must be POST`);
      if (!String(r.headers['content-type'] ?? '').startsWith('application/json')) p.push('content-type must be application/json');
    };
    switch (r.endpoint) {
      case 'viber.send_message':
        post();
        if (!tokens.viber.has(String(r.headers['x-viber-auth-token'] ?? ''))) p.push('X-Viber-Auth-Token is not the bot\'s');
        if (!isStr(b.receiver, 100)) p.push('receiver: the user\'s id');
        if (b.type !== 'text') p.push('type must be text');
        if (!isStr(b.text, 7000)) p.push('text: 1..7000 characters');
        if (!isStr(b.sender?.name, 28)) p.push('sender.name: required, at most 28 characters');
        break;
      case 'viber.get_account_info':
      case 'viber.set_webhook':
        post();
        if (!tokens.viber.has(String(r.headers['x-viber-auth-token'] ?? ''))) p.push('X-Viber-Auth-Token is not the bot\'s');
        if (r.endpoint === 'viber.set_webhook' && !isStr(b.url, 2000)) p.push('url: required');
        break;
      case 'telegram.sendMessage':
        post();
        if (!tokens.telegram.has(token ?? '')) p.push('the bot token in the path is not the bot\'s');
        if (!(typeof b.chat_id === 'number' || isStr(b.chat_id, 100))) p.push('chat_id: integer or string');
        if (!isStr(b.text, 4096)) p.push('text: 1..4096 characters');
        break;
      case 'telegram.sendChatAction':
        post();
        if (!tokens.telegram.has(token ?? '')) p.push('the bot token in the path is not the bot\'s');
        if (!(typeof b.chat_id === 'number' || isStr(b.chat_id, 100))) p.push('chat_id: integer or string');
        if (!['typing', 'upload_photo', 'record_voice'].includes(b.action)) p.push('action: typing...');
        break;
      case 'telegram.getMe':
      case 'telegram.setWebhook':
        if (!tokens.telegram.has(token ?? '')) p.push('the bot token in the path is not the bot\'s');
        if (r.endpoint === 'telegram.setWebhook' && (!isStr(b.url, 2000) || !/^[A-Za-z0-9_-]{1,256}$/.test(String(b.secret_token ?? '')))) p.push('url and secret_token (1-256 of A-Z a-z 0-9 _ -)');
        break;
      case 'meta.me/messages':
      case 'meta.phone/messages':
      case 'meta.me':
      case 'meta.phone': {
        const auth = /^Bearer (.+)$/.exec(String(r.headers.authorization ?? ''))?.[1];
        if (!auth || !tokens.meta.has(auth)) p.push('Authorization: Bearer <access token> is not a valid token');
        if (r.endpoint === 'meta.me/messages') {
          post();
          if (!isStr(b.recipient?.id, 100)) p.push('recipient.id: the PSID / IGSID');
          // A sender action (typing_on, typing_off, mark_seen) goes alone, without message or messaging_type.
          if (b.sender_action !== undefined) {
            if (!['typing_on', 'typing_off', 'mark_seen'].includes(b.sender_action)) p.push('sender_action: typing_on, typing_off or mark_seen');
            if (b.message !== undefined) p.push('a sender action is sent without a message');
          } else {
            if (!['RESPONSE', 'UPDATE', 'MESSAGE_TAG'].includes(b.messaging_type)) p.push('messaging_type: RESPONSE, UPDATE or MESSAGE_TAG');
            if (!isStr(b.message?.text, 2000)) p.push('message.text: 1..2000 characters');
          }
        }
        if (r.endpoint === 'meta.phone/messages') {
          post();
          if (b.messaging_product !== 'whatsapp') p.push('messaging_product must be whatsapp');
          if (!isStr(b.to, 30)) p.push('to: the WhatsApp id');
          if (b.type !== 'text' || !isStr(b.text?.body, 4096)) p.push('type text with text.body 1..4096 characters');
        }
        break;
      }
      default:
        p.push(`no such endpoint: ${r.method} ${r.path}`);
    }
  }

  function answer(r: StandInRequest, res: http.ServerResponse): void {
    const authProblem = r.problems.find((x) => /token|Authorization/i.test(x));
    if (r.endpoint.startsWith('viber.')) {
      if (authProblem) return json(res, 200, { status: 2, status_message: 'invalidAuthToken' });
      if (r.problems.length) return json(res, 200, { status: 3, status_message: 'badData' });
      if (r.endpoint === 'viber.get_account_info') return json(res, 200, { status: 0, status_message: 'ok', id: 'pa:75346594275468546724', name: 'Stand-in bot', uri: 'standinbot' });
      if (r.endpoint === 'viber.set_webhook') return json(res, 200, { status: 0, status_message: 'ok', event_types: r.body.event_types ?? [] });
      // A 64-bit message token, as Viber sends it: beyond JavaScript's safe integers.
      const token = `57413118035717${String(10000 + ++counter).padStart(5, '0')}`;
      return json(res, 200, null, `{"status":0,"status_message":"ok","message_token":${token},"chat_hostname":"SN-CHAT-05_"}`);
    }
    if (r.endpoint.startsWith('telegram.')) {
      if (authProblem) return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      if (r.problems.length) return json(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${r.problems.join('; ')}` });
      if (r.endpoint === 'telegram.getMe') return json(res, 200, { ok: true, result: { id: 123456789, is_bot: true, first_name: 'Stand-in', username: 'standin_bot' } });
      if (r.endpoint === 'telegram.setWebhook') return json(res, 200, { ok: true, result: true, description: 'Webhook was set' });
      if (r.endpoint === 'telegram.sendChatAction') return json(res, 200, { ok: true, result: true });
      return json(res, 200, { ok: true, result: { message_id: 1000 + ++counter, chat: { id: Number(r.body.chat_id), type: 'private' }, date: Math.floor(Date.now() / 1000), text: r.body.text } });
    }
    if (r.endpoint.startsWith('meta.')) {
      if (authProblem) return json(res, 400, { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190, fbtrace_id: 'standin' } });
      if (r.problems.length) return json(res, 400, { error: { message: `(#100) ${r.problems.join('; ')}`, type: 'OAuthException', code: 100, fbtrace_id: 'standin' } });
      if (r.endpoint === 'meta.me') return json(res, 200, { id: '1234567890', name: 'Stand-in Page' });
      if (r.endpoint === 'meta.phone') return json(res, 200, { id: r.path.split('/').pop(), verified_name: 'Stand-in Helpline', display_phone_number: '+381 11 000000' });
      if (r.endpoint === 'meta.me/messages') return json(res, 200, r.body.sender_action ? { recipient_id: r.body.recipient.id } : { recipient_id: r.body.recipient.id, message_id: `m_standin${++counter}` });
      return json(res, 200, { messaging_product: 'whatsapp', contacts: [{ input: r.body.to, wa_id: r.body.to }], messages: [{ id: `wamid.standin${++counter}` }] });
    }
    return json(res, 404, { error: 'not found' });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const { endpoint, token } = classify(req.method ?? 'GET', url.pathname);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = null;
      const problems: string[] = [];
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        problems.push('the body is not JSON');
      }
      const r: StandInRequest = { endpoint, method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body, problems, at: Date.now() };
      check(r, token);
      requests.push(r);
      for (const w of [...waiters]) {
        if (w.pred(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
      const planned = plans.get(endpoint)?.shift();
      if (planned === 'hang') {
        hanging.add(res);
        return;
      }
      if (planned) {
        res.writeHead(planned.status, { 'content-type': 'application/json', ...(planned.retryAfter ? { 'retry-after': planned.retryAfter } : {}) });
        return res.end(planned.raw ?? JSON.stringify(planned.body ?? { error: { message: `stand-in answered ${planned.status}`, code: planned.status === 429 ? 4 : 2 } }));
      }
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: { VIBER_API_URL: `${url}/viber/pa`, TELEGRAM_API_URL: `${url}/telegram`, META_GRAPH_URL: `${url}/meta/v21.0` },
    requests,
    accept: (kind, token) => void tokens[kind].add(token),
    plan: (endpoint, ...answers) => plans.set(endpoint, [...(plans.get(endpoint) ?? []), ...answers]),
    of: (endpoint) => requests.filter((r) => r.endpoint === endpoint),
    waitFor(pred, timeoutMs = 15_000) {
      const hit = requests.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (r: StandInRequest) => (clearTimeout(t), resolve(r)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error('the stand-in got no such request'));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

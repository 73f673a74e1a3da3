// Test helpers for the messaging apps: the documented payloads (fixtures/, each naming its source),
// signed as each app signs its webhooks, posted to the real HTTP endpoint.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { api, type LoggedIn } from '../../helpers.js';

/** A fixture's payload; Viber's 64-bit message tokens are kept as text (see `raw`). */
export function fixture(name: string): { source: string; payload: any } {
  const text = readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8').replace(/("message_token"\s*:\s*)(\d+)/g, '$1"$2"');
  const f = JSON.parse(text) as { source: string; payload: unknown };
  if (!/^https:\/\//.test(f.source)) throw new Error(`fixture ${name} names no source`);
  return f as { source: string; payload: any };
}

/** The body as the app sends it: Viber's message tokens back as JSON numbers. */
export const raw = (payload: unknown) => JSON.stringify(payload).replace(/("message_token":)"(\d+)"/g, '$1$2');

export const viberSignature = (authToken: string, body: string) => createHmac('sha256', authToken).update(body).digest('hex');
export const metaSignature = (appSecret: string, body: string) => 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex');

export async function postWebhook(baseUrl: string, inboxId: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/api/channels/apps/${inboxId}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

export interface AppInboxOf {
  id: string;
  webhookUrl: string;
  verifyToken: string | null;
}

export async function createAppInbox(baseUrl: string, admin: LoggedIn, body: Record<string, unknown>): Promise<AppInboxOf> {
  const res = await api(baseUrl, admin, 'POST', '/api/admin/app-inboxes', body);
  if (res.status !== 201) throw new Error(`app inbox not created: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.inbox.id, webhookUrl: res.body.connect.webhookUrl, verifyToken: res.body.connect.verifyToken };
}

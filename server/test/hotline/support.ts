// Helpers of the hotline tests: file a report the way the page does (challenge, proof of work, JSON),
// and a real SMTP server that keeps what it receives.
import { SMTPServer } from 'smtp-server';
import { solvePow } from '../../src/hotline/pow.js';

export async function fileReport(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const ch = (await (await fetch(`${url}/api/hotline/challenge`, { headers })).json()) as { challenge: string; bits: number };
  const res = await fetch(`${url}/api/hotline/reports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...body, pow: { challenge: ch.challenge, nonce: solvePow(ch.challenge, ch.bits) } }),
  });
  return { status: res.status, body: await res.json() };
}

export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

export interface Mail {
  to: string[];
  raw: string;
  /** The decoded plain-text body. */
  text: string;
}

/** The text body of a single-part message sent with base64 text encoding. */
function bodyText(raw: string): string {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  return /content-transfer-encoding:\s*base64/i.test(head ?? '') ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
}

export async function startSmtp(): Promise<{ port: number; mails: Mail[]; waitFor(pred: (m: Mail) => boolean, timeoutMs?: number): Promise<Mail>; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const waiters: { pred: (m: Mail) => boolean; resolve: (m: Mail) => void }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = { to: session.envelope.rcptTo.map((r) => r.address), raw, text: bodyText(raw) };
        mails.push(mail);
        for (const w of [...waiters]) {
          if (w.pred(mail)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(mail);
          }
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    mails,
    waitFor(pred, timeoutMs = 10_000) {
      const found = mails.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<Mail>((resolve, reject) => {
        const w = { pred, resolve: (m: Mail) => (clearTimeout(t), resolve(m)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error('no such e-mail'));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

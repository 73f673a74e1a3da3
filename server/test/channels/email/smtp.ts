// An SMTP receiver for the e-mail tests (the smtp-server package): it checks the login of the
// centre's SMTP account and keeps every mail it is given, parsed by mailparser for the assertions.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { eventually } from '../../helpers.js';

export interface Sent {
  to: string[];
  /** The SMTP account it was sent with (null: no login, as the hotline's mailer). */
  user: string | null;
  raw: string;
  mail: ParsedMail;
  header(name: string): string | null;
}

export interface SmtpReceiver {
  port: number;
  sent: Sent[];
  waitFor(pred: (m: Sent) => boolean, timeoutMs?: number): Promise<Sent>;
  close(): Promise<void>;
}

export async function startSmtpReceiver(account: { user: string; password: string }): Promise<SmtpReceiver> {
  const sent: Sent[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    // The hotline's feedback mailer (SMTP_URL) sends without a login; the inboxes log in.
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === account.user && auth.password === account.password) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((mail) => {
          sent.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : null,
            raw: raw.toString('utf8'),
            mail,
            header: (name) => {
              const v = mail.headers.get(name.toLowerCase());
              return v === undefined ? null : typeof v === 'string' ? v : Array.isArray(v) ? v.join(' ') : JSON.stringify(v);
            },
          });
          cb();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    sent,
    waitFor: (pred, timeoutMs = 15_000) => eventually(async () => sent.find(pred), timeoutMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A raw RFC 5322 mail, CRLF line ends. */
export function rawMail(h: Record<string, string>, body: string): string {
  const head = Object.entries({ 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Transfer-Encoding': '8bit', Date: new Date().toUTCString(), ...h })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return `${head}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** A multipart mail with attachments (base64). */
export function multipartMail(h: Record<string, string>, parts: { type: string; body: string; filename?: string }[]): string {
  const b = `b-${Math.random().toString(36).slice(2)}`;
  const head = Object.entries({ 'MIME-Version': '1.0', 'Content-Type': `multipart/mixed; boundary="${b}"`, Date: new Date().toUTCString(), ...h })
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  const body = parts
    .map((p) =>
      p.filename
        ? `--${b}\r\nContent-Type: ${p.type}; name="${p.filename}"\r\nContent-Disposition: attachment; filename="${p.filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(p.body).toString('base64')}\r\n`
        : `--${b}\r\nContent-Type: ${p.type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${p.body.replace(/\r?\n/g, '\r\n')}\r\n`,
    )
    .join('');
  return `${head}\r\n\r\n${body}--${b}--\r\n`;
}

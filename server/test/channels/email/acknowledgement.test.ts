// Issue 19 item 4: the first mail of a thread is acknowledged with its reference and the expected
// answer time, in the sender's language; when the centre is closed, with the out-of-hours text. The
// centre's hours are read by the app's clock: the test moves an offset clock into the closed half of
// the day and then into the open half, instead of waiting for either.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestEnv, uid, type TestEnv } from '../../helpers.js';
import { offsetClock } from '../../../src/infra/clock.js';
import { emailMessages } from '../../../src/channels/email/tables.js';
import { referenceOf } from '../../../src/channels/email/texts.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { rawMail, startSmtpReceiver, type SmtpReceiver } from './smtp.js';

const MAILBOX = 'help@centre.test';
const PW = `imap-${uid(8)}`;
const clock = offsetClock();
let env: TestEnv;
let dovecot: Dovecot;
let smtp: SmtpReceiver;

const DAY_MIN = 24 * 60;
/** Forward to 06:00 UTC (open: the centre works 00:00–12:00 UTC every day) or 18:00 UTC (closed): six hours from either edge. */
function moveTo(open: boolean): void {
  const minute = Math.floor((clock.now() % 86_400_000) / 60_000);
  clock.advance((((open ? 6 * 60 : 18 * 60) - minute + DAY_MIN) % DAY_MIN) * 60_000);
}

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, PW);
  smtp = await startSmtpReceiver({ user: 'u', password: 'p' });
  env = await startTestEnv({ EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_TIMEOUT_MS: '3000' }, { clock });
  await env.app.settings.set('hours', { timeZone: 'UTC', enforced: true, holidays: [], weekly: Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((d) => [String(d), [['00:00', '12:00']]])) });
  await env.app.settings.set('channelTargets', { email: 24 * 3600 });
  await env.app.channels.email.create('Helpline e-mail', {
    purpose: 'helpline', language: 'en', imapHost: '127.0.0.1', imapPort: dovecot.port, imapTls: false, imapUser: MAILBOX, imapPassword: PW,
    smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpTls: false, smtpUser: 'u', smtpPassword: 'p', fromAddress: MAILBOX, signature: '',
  });
}, 60_000);
afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await dovecot?.close();
});

/** A first mail from `from`; the acknowledgement it got and the reference it should name. */
async function firstMail(from: string, subject: string, text: string) {
  const messageId = `<${uid(10)}@sender.test>`;
  await dovecot.append(MAILBOX, PW, rawMail({ From: from, To: MAILBOX, Subject: subject, 'Message-ID': messageId }, text));
  const conversationId = await eventually(async () => (await env.app.db.select().from(emailMessages).where(eq(emailMessages.rfcMessageId, messageId)))[0]?.conversationId, 20_000);
  const ack = await smtp.waitFor((m) => m.to.includes(from));
  expect(ack.header('auto-submitted')).toBe('auto-replied');
  expect(ack.header('in-reply-to')).toBe(messageId);
  return { text: ack.mail.text ?? '', subject: ack.mail.subject, reference: referenceOf(conversationId) };
}

describe('the acknowledgement', () => {
  it('outside the centre\'s hours is the closed text in the sender\'s language; inside, the usual one', async () => {
    moveTo(false);
    expect(await env.app.settings.isWithinHours(new Date(clock.now()))).toBe(false);
    // Serbian Cyrillic, told by its letters (the mailbox's own language is English).
    const closed = await firstMail('dete@example.rs', 'Помоћ', 'Неко ми прети преко интернета, шта да радим? Ђорђе');
    expect(closed.subject).toBe('Re: Помоћ');
    expect(closed.text).toContain('Тренутно не радимо');
    expect(closed.text).toContain('обично у року од 24 сати');
    expect(closed.text).toContain(closed.reference);

    moveTo(true);
    expect(await env.app.settings.isWithinHours(new Date(clock.now()))).toBe(true);
    // Bulgarian, told by ъ and щ.
    const open = await firstMail('dete@example.bg', 'Въпрос', 'Някой ме заплашва и не знам какво да правя щом пише.');
    expect(open.text).toContain('Консултант ще Ви отговори, обикновено до 24 часа');
    expect(open.text).not.toContain('не работим');
    expect(open.text).toContain(open.reference);

    // And back to closed: the same language as before gets the closed text again (the decision follows the clock, not the first answer).
    moveTo(false);
    const again = await firstMail('drugo.dete@example.bg', 'Пак', 'Още един въпрос, щом може.');
    expect(again.text).toContain('В момента не работим');
  }, 90_000);
});

// A private Dovecot (Debian's dovecot-imapd) for the e-mail tests: its own temporary folder, a
// generated configuration, a loopback port, a passwd-file with test users and maildir mail. Mail is
// put in by IMAP APPEND from the test, as a mail server's delivery would.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from '../../helpers.js';

export interface Dovecot {
  port: number;
  /** Add a user (or change its password: a password that stops working). */
  setUser(user: string, password: string): void;
  append(user: string, password: string, raw: string | Buffer): Promise<void>;
  /** Stop the server (a server that went away); `start` brings it back on the same port and mail. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const DOVECOT = '/usr/sbin/dovecot';

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hl-dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const me = userInfo();
  // Dovecot refuses to run its login process as root: as root, Debian's own users of the package.
  const root = me.uid === 0;
  // Nor will it keep mail as root: then the mail belongs to Debian's dovecot user.
  const owner = root ? dovecotUser() : { uid: me.uid, gid: me.gid };
  const users = new Map<string, string>();
  const passwd = path.join(dir, 'passwd');
  mkdirSync(path.join(dir, 'run'));
  mkdirSync(path.join(dir, 'mail'));
  chownSync(path.join(dir, 'mail'), owner.uid, owner.gid);
  const writeUsers = () => writeFileSync(passwd, [...users].map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(''));
  writeUsers();
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
instance_name = hl-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${root ? 'dovecot' : me.username}
default_login_user = ${root ? 'dovenull' : me.username}
mail_location = maildir:${dir}/mail/%u
mail_uid = ${owner.uid}
mail_gid = ${owner.gid}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${passwd}
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  mkdirSync(path.join(dir, 'state'));

  const start = async () => {
    const r = spawnSync(DOVECOT, ['-c', conf], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    if (r.status !== 0) throw new Error(`dovecot did not start: ${r.stderr}`);
    // Ready when it answers a greeting.
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('data', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r2) => setTimeout(r2, 50));
    }
    throw new Error('dovecot does not answer');
  };
  const stop = async () => {
    spawnSync(DOVECOT, ['-c', conf, 'stop'], { stdio: 'ignore', timeout: 10_000 });
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      });
      if (!up) return;
      await new Promise((r2) => setTimeout(r2, 50));
    }
  };
  await start();
  return {
    port,
    setUser(user, password) {
      users.set(user, password);
      writeUsers();
      // Dovecot caches authentication: a changed password must take effect at once.
      spawnSync('/usr/bin/doveadm', ['-c', conf, 'auth', 'cache', 'flush'], { stdio: 'ignore', timeout: 10_000 });
    },
    async append(user, password, raw) {
      const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
      await c.connect();
      await c.append('INBOX', raw);
      await c.logout();
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


function dovecotUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('dovecot:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('no dovecot user (is dovecot-imapd installed?)');
  return { uid: Number(uid), gid: Number(gid) };
}

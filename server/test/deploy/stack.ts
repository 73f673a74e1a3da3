// The production shape of docs/deploy.md on loopback: nginx started with deploy/nginx/helpline.conf
// (a private nginx: its own prefix, temp folders, pid file, ports, and a self-signed certificate made
// by openssl), a private redis-server started with deploy/redis/helpline.conf, the shared Postgres (a
// database of its own), and platform instances started with deploy/systemd/helpline.env on the ports
// the nginx file names. Nothing of the machine's own nginx or Redis is touched.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as ioc } from 'socket.io-client';
import { createTestDatabase, freePort, uid, type AgentClient, type LoggedIn, type WidgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { startRedisServer, type RedisProcess } from './redis-server.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** A file of deploy/ with its @NAME@ placeholders filled; throws on one left unfilled. */
export function filled(file: string, values: Record<string, string>): string {
  const text = readFileSync(path.join(DEPLOY, file), 'utf8').replace(/@([A-Z0-9_]+)@/g, (m, name: string) => values[name] ?? m);
  const left = /@[A-Z0-9_]+@/.exec(text.replace(/^#.*$/gm, ''));
  if (left) throw new Error(`${file}: placeholder ${left[0]} not filled`);
  return text;
}

/** KEY=VALUE lines of an environment file (comments and blank lines skipped), as systemd reads it. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

export interface Nginx {
  httpsPort: number;
  httpPort: number;
  url: string;
  cert: string;
  /** Everything nginx has logged so far: the main error log, the http-level access log and the site's error log. */
  logs(): string;
  close(): Promise<void>;
}

export async function startNginx(instancePorts: number[]): Promise<Nginx> {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'hl-nginx-'));
  // The worker runs unprivileged when the test runs as root: it must reach its temp folders.
  chmodSync(prefix, 0o755);
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(path.join(prefix, d));
    chmodSync(path.join(prefix, d), 0o777);
  }
  const cert = path.join(prefix, 'cert.pem');
  const key = path.join(prefix, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const logFiles = ['error.log', 'access.log', 'helpline.error.log'].map((f) => path.join(prefix, f));
  let site = filled('nginx/helpline.conf', {
    SERVER_NAME: '127.0.0.1',
    HTTPS_PORT: String(httpsPort),
    HTTP_PORT: String(httpPort),
    CERT: cert,
    KEY: key,
    INSTANCE_1: `127.0.0.1:${instancePorts[0]}`,
    INSTANCE_2: `127.0.0.1:${instancePorts[1]}`,
    ERROR_LOG: logFiles[2]!,
  });
  // NGINX_TRACE=1: the site's error log down to `info`, for following what nginx did with a connection.
  if (process.env.NGINX_TRACE) site = site.replace(/^(\s*error_log \S+) crit;$/gm, '$1 info;');
  writeFileSync(path.join(prefix, 'helpline.conf'), site);
  // The main file is what Debian's /etc/nginx/nginx.conf provides, reduced to this test's own paths.
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 512; }
http {
  access_log ${logFiles[1]};
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  include ${prefix}/helpline.conf;
}
`,
  );
  const args = ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')];
  execFileSync(NGINX_BIN, [...args, '-t', '-q'], { stdio: 'pipe' });
  const child: ChildProcess = spawn(NGINX_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const pem = readFileSync(cert, 'utf8');
  const logs = () => logFiles.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : '')).join('');
  const url = `https://127.0.0.1:${httpsPort}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${out}${readFileSync(path.join(prefix, 'error.log'), 'utf8')}`);
    const up = await httpsRequest(url, pem, 'GET', '/health').then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`nginx did not answer: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    httpsPort,
    httpPort,
    url,
    cert: pem,
    logs,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((r) => {
          child.once('exit', () => r());
          child.kill('SIGQUIT');
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
        });
      }
      if (process.env.NGINX_TRACE) console.log(logs());
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over TLS that trusts only the test's certificate. */
export function httpsRequest(base: string, ca: string, method: string, p: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = https.request(`${base}${p}`, { method, ca, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...opts.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

export interface Stack {
  nginx: Nginx;
  redis: RedisProcess;
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  instances: InstanceProcess[];
  ports: number[];
  metricsToken: string;
  /** Starts (again) instance i on its port, with deploy/systemd/helpline.env. */
  startInstance(i: number): Promise<InstanceProcess>;
  login(email: string, password: string): Promise<LoggedIn>;
  widget(opts?: { token?: () => string | undefined; reconnection?: boolean }): WidgetClient;
  agent(who: LoggedIn, opts?: { reconnection?: boolean }): AgentClient;
  close(): Promise<void>;
}

export async function startStack(opts: { env?: Record<string, string> } = {}): Promise<Stack> {
  const ports = [await freePort(), await freePort()];
  const redis = await startRedisServer({ configFile: () => path.join(DEPLOY, 'redis/helpline.conf') });
  const db = await createTestDatabase();
  const nginx = await startNginx(ports);
  const prefix = `t${uid()}`;
  const metricsToken = `metrics-${uid(12)}`;
  const env = parseEnvFile(
    filled('systemd/helpline.env', {
      PUBLIC_URL: nginx.url,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      SERVER_SECRET: `deploy-test-secret-${uid(16)}`,
      METRICS_TOKEN: metricsToken,
    }),
  );
  const instances: InstanceProcess[] = [];
  const stack: Stack = {
    nginx,
    redis,
    db,
    instances,
    ports,
    metricsToken,
    async startInstance(i) {
      // The file's REDIS_PREFIX would be shared by every test run on this Redis: the test's own one.
      const inst = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, port: ports[i]!, env: { ...env, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', ...opts.env } });
      instances[i] = inst;
      return inst;
    },
    async login(email, password) {
      const res = await httpsRequest(nginx.url, nginx.cert, 'POST', '/api/auth/login', { body: { email, password } });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body}`);
      const setCookie = res.headers['set-cookie'];
      const cookie = (Array.isArray(setCookie) ? setCookie[0]! : String(setCookie)).split(';')[0]!;
      const body = JSON.parse(res.body) as { csrfToken: string; profile: LoggedIn['profile'] };
      return { cookie, csrfToken: body.csrfToken, profile: body.profile };
    },
    widget(o = {}) {
      return ioc(`${nginx.url}/widget`, {
        transports: ['websocket'],
        ca: nginx.cert,
        extraHeaders: { origin: nginx.url },
        auth: (cb) => {
          const token = o.token?.();
          cb({ hostOrigin: nginx.url, ...(token ? { token } : {}) });
        },
        reconnection: o.reconnection ?? false,
        reconnectionDelay: 100,
        reconnectionDelayMax: 1_000,
        forceNew: true,
      }) as WidgetClient;
    },
    agent(who, o = {}) {
      return ioc(`${nginx.url}/agent`, {
        transports: ['websocket'],
        ca: nginx.cert,
        extraHeaders: { origin: nginx.url, cookie: who.cookie },
        reconnection: o.reconnection ?? false,
        reconnectionDelay: 100,
        reconnectionDelayMax: 1_000,
        forceNew: true,
      }) as AgentClient;
    },
    async close() {
      for (const inst of instances) await inst?.kill('SIGTERM');
      await nginx.close();
      await redis.close();
      await db.drop();
    },
  };
  for (let i = 0; i < ports.length; i++) await stack.startInstance(i);
  return stack;
}

// nginx writes no client address (docs/security.md). The recipe's nginx (deploy/nginx/helpline.conf
// inside a main file like Debian's, which logs every request of a server that says nothing) is sent
// what makes nginx log: requests while no instance answers (502, on both upstreams), a body over its
// limit (413), a plain-HTTP visit (301), each with a forwarded address. Nothing in its logs names an address.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers.js';
import { startNginx, type Nginx } from './stack.js';

let nginx: Nginx;
beforeAll(async () => {
  // Two ports nobody listens on: every proxied request is refused by both instances.
  nginx = await startNginx([await freePort(), await freePort()]);
});
afterAll(() => nginx?.close());

/**
 * One request on its own connection, `Connection: close`, read until nginx closes it: nginx writes a
 * request's log lines before it closes the connection, so they are all written when this returns.
 * (The client does not end its side first: nginx would take that for a client gone, 499.)
 */
function exchange(port: number, secure: boolean, head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = `${head}\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.77\r\nConnection: close\r\n${body ? `Content-Length: ${body.length}\r\n` : ''}\r\n${body}`;
    const s = secure ? tls.connect({ port, host: '127.0.0.1', ca: nginx.cert }, () => s.write(request)) : net.connect({ port, host: '127.0.0.1' }, () => s.write(request));
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('close', () => resolve(text.split('\r\n')[0]!));
    s.on('error', reject);
  });
}

describe("nginx's logs", () => {
  it('hold no client address after refused upstreams, a body too large and a plain-HTTP visit', async () => {
    expect(await exchange(nginx.httpsPort, true, 'GET /console/ HTTP/1.1')).toBe('HTTP/1.1 502 Bad Gateway');
    expect(await exchange(nginx.httpsPort, true, 'GET /socket.io/?EIO=4&transport=polling HTTP/1.1')).toBe('HTTP/1.1 502 Bad Gateway');
    expect(await exchange(nginx.httpsPort, true, 'POST /api/widget/offline-messages HTTP/1.1\r\nContent-Type: application/json', 'x'.repeat(200 * 1024))).toBe(
      'HTTP/1.1 413 Request Entity Too Large',
    );
    expect(await exchange(nginx.httpPort, false, 'GET /demo HTTP/1.1')).toBe('HTTP/1.1 301 Moved Permanently');

    const logs = nginx.logs();
    expect(logs).not.toContain('client:');
    expect(logs).not.toMatch(/127\.0\.0\.1|203\.0\.113\.77/);
  });
});

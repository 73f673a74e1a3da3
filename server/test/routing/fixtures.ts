// Small builders for routing tests: counsellors with a live /agent socket, children with a /widget socket.
import type { Offer } from '@helpline/shared';
import { agentClient, call, connected, createStaff, eventually, login, widgetClient, type AgentClient, type TestEnv, type WidgetClient } from '../helpers.js';

export interface Counsellor {
  id: string;
  name: string;
  socket: AgentClient;
  offers: Offer[];
  email: string;
  password: string;
}

export async function counsellor(env: { url: string; app: TestEnv['app'] }, opts: { languages?: string[]; topics?: string[]; capacity?: number; available?: boolean; role?: 'counsellor' | 'supervisor'; name?: string } = {}): Promise<Counsellor> {
  const s = await createStaff(env.app, opts.role ?? 'counsellor', opts);
  const who = await login(env.url, s.email, s.password);
  const socket = agentClient(env.url, who);
  const offers: Offer[] = [];
  socket.on('offer:new', (o) => offers.push(o));
  await connected(socket);
  await call(socket, 'agent:hello');
  if (opts.available !== false) {
    const r = await call(socket, 'agent:status', { status: 'available' });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  }
  return { id: s.profile.id, name: s.profile.name, socket, offers, email: s.email, password: s.password };
}

export interface Child {
  socket: WidgetClient;
  conversationId: string;
  token: string;
  serviceOpen: boolean;
}

export async function child(url: string, start: Record<string, unknown> = {}): Promise<Child> {
  const socket = widgetClient(url);
  await connected(socket);
  const r = await call(socket, 'conversation:start', start);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return { socket, conversationId: r.data.conversation.id, token: r.data.token, serviceOpen: r.data.serviceOpen };
}

/** The next offer this counsellor receives (offers are queued as they arrive, none is missed). */
export function nextOffer(c: Counsellor, timeoutMs = 10_000): Promise<Offer> {
  return eventually(async () => c.offers.shift(), timeoutMs, 20);
}

export async function accept(c: Counsellor, offer: Offer) {
  const r = await call(c.socket, 'offer:accept', { offerId: offer.offerId });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data;
}

/**
 * A counsellor done with a test goes offline before her socket closes: the disconnect is handled
 * asynchronously, and until it is, an available counsellor of an earlier test could be offered the
 * next test's child (on a loaded machine that took a child the next test meant to assign by hand).
 */
export async function leave(...sockets: AgentClient[]): Promise<void> {
  for (const s of sockets) {
    await call(s, 'agent:status', { status: 'offline' });
    s.disconnect();
  }
}

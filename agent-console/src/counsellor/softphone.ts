// The counsellor's softphone (JsSIP over the SIP proxy's WebSocket). It registers while the workspace
// is open, with short-lived credentials from the platform. The proxy rings it only for a call this
// counsellor has just accepted in the queue (the INVITE names the conversation), so accepting the
// offer is answering: the call is answered at once. Hold is local (both directions muted, the time
// on hold counted by the platform); hanging up sends the BYE, and the platform ends the conversation.
import { useEffect, useState } from 'preact/hooks';
import { CONVERSATION_SIP_HEADER, type SoftphoneConfig, type VoiceCallView } from '@helpline/shared';
import { api } from '../api.js';

export type CallPhase = 'connecting' | 'talking' | 'ended' | 'failed';

export interface CallUi {
  conversationId: string;
  phase: CallPhase;
  muted: boolean;
  held: boolean;
  /** When the talk began (ms), for the timer. */
  since: number | null;
  /** Why it failed (no microphone...), a catalogue key. */
  problem: string | null;
}

// JsSIP's types are loose where we use them: the few members we call are named here.
interface Session {
  answer(options: { mediaConstraints: { audio: boolean; video: boolean } }): void;
  terminate(): void;
  mute(options: { audio: boolean }): void;
  unmute(options: { audio: boolean }): void;
  isEnded(): boolean;
  connection?: RTCPeerConnection;
  on(event: string, fn: (e: { cause?: string; peerconnection?: RTCPeerConnection }) => void): void;
}
interface UA {
  start(): void;
  stop(): void;
  on(event: string, fn: (e: { session: Session; request: { getHeader(name: string): string | undefined }; originator: string }) => void): void;
}

class Softphone {
  private ua: UA | null = null;
  private starting: Promise<void> | null = null;
  private refresh: ReturnType<typeof setTimeout> | null = null;
  private sessions = new Map<string, { session: Session; audio: HTMLAudioElement }>();
  readonly calls = new Map<string, CallUi>();
  registered = false;
  enabled = false;
  private listeners = new Set<() => void>();

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  private changed(): void {
    for (const fn of this.listeners) fn();
  }
  private update(conversationId: string, patch: Partial<CallUi>): void {
    const cur = this.calls.get(conversationId) ?? { conversationId, phase: 'connecting', muted: false, held: false, since: null, problem: null };
    this.calls.set(conversationId, { ...cur, ...patch });
    this.changed();
  }

  start(): Promise<void> {
    this.starting ??= this.connect().catch(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async connect(): Promise<void> {
    const cfg = await api.get<SoftphoneConfig>('/api/voice/softphone');
    if (!cfg.enabled) return;
    this.enabled = true;
    const JsSIP = (await import('jssip')).default;
    const ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(cfg.wsUrl)],
      uri: cfg.uri,
      authorization_user: cfg.authorizationUser,
      password: cfg.password,
      register: true,
      session_timers: false,
    }) as unknown as UA;
    ua.on('registered', () => {
      this.registered = true;
      this.changed();
    });
    for (const e of ['unregistered', 'registrationFailed', 'disconnected']) {
      ua.on(e, () => {
        this.registered = false;
        this.changed();
      });
    }
    ua.on('newRTCSession', ({ session, request, originator }) => {
      if (originator !== 'remote') return;
      const conversationId = request.getHeader(CONVERSATION_SIP_HEADER);
      if (!conversationId) {
        session.terminate();
        return;
      }
      this.take(conversationId, session);
    });
    ua.start();
    this.ua = ua;
    // Credentials last 12 hours: a new set (and registration) an hour before they run out.
    const renewIn = Math.max(60_000, new Date(cfg.expiresAt).getTime() - Date.now() - 3_600_000);
    this.refresh = setTimeout(() => {
      this.stop();
      void this.start();
    }, renewIn);
  }

  private take(conversationId: string, session: Session): void {
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.hidden = true;
    document.body.append(audio);
    this.sessions.set(conversationId, { session, audio });
    this.update(conversationId, { phase: 'connecting', problem: null });
    session.on('peerconnection', ({ peerconnection }) => {
      peerconnection?.addEventListener('track', (ev) => {
        audio.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
        void audio.play().catch(() => {});
      });
    });
    session.on('confirmed', () => this.update(conversationId, { phase: 'talking', since: Date.now() }));
    session.on('ended', () => this.finish(conversationId, 'ended', null));
    session.on('failed', ({ cause }) => this.finish(conversationId, 'failed', cause === 'User Denied Media Access' ? 'call.noMicrophone' : 'call.state.failed'));
    session.answer({ mediaConstraints: { audio: true, video: false } });
  }

  private finish(conversationId: string, phase: CallPhase, problem: string | null): void {
    const s = this.sessions.get(conversationId);
    if (s) {
      s.audio.srcObject = null;
      s.audio.remove();
      this.sessions.delete(conversationId);
    }
    this.update(conversationId, { phase, problem, held: false });
  }

  hasCall(conversationId: string): boolean {
    return this.sessions.has(conversationId);
  }

  hangUp(conversationId: string): void {
    const s = this.sessions.get(conversationId);
    if (s && !s.session.isEnded()) s.session.terminate();
  }

  mute(conversationId: string, muted: boolean): void {
    const s = this.sessions.get(conversationId);
    if (!s) return;
    if (muted) s.session.mute({ audio: true });
    else if (!this.calls.get(conversationId)?.held) s.session.unmute({ audio: true });
    this.update(conversationId, { muted });
  }

  async hold(conversationId: string, held: boolean): Promise<VoiceCallView> {
    const s = this.sessions.get(conversationId);
    const view = await api.post<VoiceCallView>(`/api/conversations/${conversationId}/call/hold`, { held });
    if (s) {
      s.audio.muted = held;
      if (held) s.session.mute({ audio: true });
      else if (!this.calls.get(conversationId)?.muted) s.session.unmute({ audio: true });
    }
    this.update(conversationId, { held });
    return view;
  }

  stop(): void {
    if (this.refresh) clearTimeout(this.refresh);
    this.refresh = null;
    for (const id of [...this.sessions.keys()]) this.hangUp(id);
    this.ua?.stop();
    this.ua = null;
    this.starting = null;
    this.registered = false;
    this.changed();
  }
}

export const softphone = new Softphone();

/** Registers the softphone while the calling component is mounted (the counsellor's workspace). */
export function useSoftphone(): { enabled: boolean; registered: boolean } {
  const [, bump] = useState(0);
  useEffect(() => {
    const off = softphone.subscribe(() => bump((n) => n + 1));
    void softphone.start().then(() => bump((n) => n + 1));
    return () => {
      off();
    };
  }, []);
  return { enabled: softphone.enabled, registered: softphone.registered };
}

/** One conversation's call, as the softphone sees it. */
export function useCall(conversationId: string): CallUi | null {
  const [, bump] = useState(0);
  useEffect(() => softphone.subscribe(() => bump((n) => n + 1)), [conversationId]);
  return softphone.calls.get(conversationId) ?? null;
}

// A supervisor listens in on a phone call, silently: the media server (rtpengine) offers her browser a
// copy of both parties' audio; nothing of hers goes to the call.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { errorText, t } from '../i18n/index.js';
import '../counsellor/i18n.voice.js';

export function ListenControl({ conversationId }: { conversationId: string }) {
  const [listening, setListening] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const session = useRef<{ pc: RTCPeerConnection; listenId: string; audio: HTMLAudioElement }[]>([]);

  const stop = () => {
    const all = session.current;
    session.current = [];
    setListening(false);
    for (const s of all) {
      s.pc.close();
      s.audio.srcObject = null;
      s.audio.remove();
      void api.post(`/api/conversations/${conversationId}/call/listen/${s.listenId}/stop`).catch(() => {});
    }
  };
  useEffect(() => stop, [conversationId]);

  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      // One stream per party of the call (the caller, the counsellor), each from its own offer.
      const { parties } = await api.post<{ parties: { listenId: string; sdp: string }[] }>(`/api/conversations/${conversationId}/call/listen`);
      for (const offer of parties) await receive(offer);
      setListening(true);
    } catch (err) {
      stop();
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const receive = async (offer: { listenId: string; sdp: string }) => {
      const pc = new RTCPeerConnection();
      const audio = document.createElement('audio');
      audio.autoplay = true;
      audio.hidden = true;
      document.body.append(audio);
      const streams = new MediaStream();
      pc.addEventListener('track', (ev) => {
        streams.addTrack(ev.track);
        audio.srcObject = streams;
        void audio.play().catch(() => {});
      });
      session.current.push({ pc, listenId: offer.listenId, audio });
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      // The answer with its candidates (rtpengine takes no trickled ones): gathering done, or 3 s.
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        const timer = setTimeout(resolve, 3000);
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await api.post(`/api/conversations/${conversationId}/call/listen/${offer.listenId}/answer`, { sdp: pc.localDescription!.sdp });
  };

  return (
    <section class="card" aria-labelledby="sv-listen" data-testid="listen" data-listening={listening}>
      <h2 id="sv-listen">{t('call.listenTitle')}</h2>
      <p class="muted">{listening ? t('call.listening') : t('call.listenHint')}</p>
      {listening ? (
        <button type="button" onClick={stop}>
          {t('call.listenStop')}
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => void start()}>
          {t('call.listen')}
        </button>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

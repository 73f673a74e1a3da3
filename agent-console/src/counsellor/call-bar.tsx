// A phone conversation's call: its state and time, and the softphone's buttons (mute, hold, hang up).
import { useEffect, useState } from 'preact/hooks';
import type { VoiceCallView } from '@helpline/shared';
import { api } from '../api.js';
import { errorText, t } from '../i18n/index.js';
import { useNow } from '../components/use-now.js';
import { softphone, useCall } from './softphone.js';
import './i18n.voice.js';

const clock = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function CallBar({ conversationId, live }: { conversationId: string; live: boolean }) {
  const call = useCall(conversationId);
  const [view, setView] = useState<VoiceCallView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const talking = call?.phase === 'talking';
  const now = useNow(talking);
  useEffect(() => {
    api
      .get<VoiceCallView>(`/api/conversations/${conversationId}/call`)
      .then(setView)
      .catch(() => setView(null));
  }, [conversationId, call?.phase, live]);

  const phase = call?.held ? 'held' : (call?.phase ?? (live ? 'connecting' : 'ended'));
  const run = async (fn: () => Promise<unknown> | void) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="card call-bar" aria-label={t('call.bar')} data-testid="call-bar" data-phase={phase}>
      <p role="status">
        <strong>{call?.problem ? t(call.problem) : t('call.state.' + phase)}</strong>
        {talking && call?.since !== null && call?.since !== undefined && <span class="call-clock"> {clock((now - call.since) / 1000)}</span>}
      </p>
      {view && !talking && (
        <p class="muted">{t('call.times', { waited: clock(view.waitedSeconds), talked: clock(view.talkedSeconds), held: clock(view.heldSeconds) })}</p>
      )}
      {talking && (
        <div class="call-buttons">
          <button type="button" aria-pressed={call!.muted} onClick={() => void run(() => softphone.mute(conversationId, !call!.muted))}>
            {call!.muted ? t('call.unmute') : t('call.mute')}
          </button>
          <button type="button" aria-pressed={call!.held} onClick={() => void run(() => softphone.hold(conversationId, !call!.held))}>
            {call!.held ? t('call.resume') : t('call.hold')}
          </button>
          <button type="button" class="danger" onClick={() => softphone.hangUp(conversationId)}>
            {t('call.hangup')}
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

// The board's state: the first snapshot by request, then every 'board:update' pushed to supervisors,
// and the alerts as they come.
import { useEffect, useState } from 'preact/hooks';
import type { BoardSnapshot, SupervisorAlert } from '@helpline/shared';
import { emitAck, type AgentSocket } from '../socket.js';
import { t } from '../i18n/index.js';

export interface BoardState {
  board: BoardSnapshot | null;
  /** Local time the snapshot arrived: durations tick from there. */
  receivedAt: number;
  alerts: SupervisorAlert[];
  dismiss(id: string): void;
}

export function useBoard(socket: AgentSocket): BoardState {
  const [board, setBoard] = useState<BoardSnapshot | null>(null);
  const [receivedAt, setReceivedAt] = useState(Date.now());
  const [alerts, setAlerts] = useState<SupervisorAlert[]>([]);

  useEffect(() => {
    const take = (b: BoardSnapshot) => {
      setBoard(b);
      setReceivedAt(Date.now());
    };
    const load = () => {
      void emitAck(socket, 'board:snapshot', {}).then((r) => {
        if (r.ok) take(r.data);
      });
    };
    const onAlert = (a: SupervisorAlert) => setAlerts((xs) => [a, ...xs.filter((x) => x.id !== a.id)].slice(0, 20));
    socket.on('board:update', take);
    socket.on('alert:new', onAlert);
    socket.on('connect', load);
    if (socket.connected) load();
    return () => {
      socket.off('board:update', take);
      socket.off('alert:new', onAlert);
      socket.off('connect', load);
    };
  }, [socket]);

  return { board, receivedAt, alerts, dismiss: (id) => setAlerts((xs) => xs.filter((x) => x.id !== id)) };
}

export function duration(seconds: number, t: (k: string, p?: Record<string, string | number>) => string): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? t('sv.minutes', { m: Math.floor(s / 60), s: s % 60 }) : t('sv.seconds', { s });
}

/** As `duration`, in hours and minutes from an hour on (left messages, e-mail targets). */
export function longDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? t('sv.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) }) : duration(s, t);
}

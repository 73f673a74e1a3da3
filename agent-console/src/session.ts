// The logged-in staff member and their live /agent socket, shared with every section through context.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { StaffProfile } from '@helpline/shared';
import type { AgentSocket } from './socket.js';

export interface SessionValue {
  profile: StaffProfile;
  csrfToken: string;
  socket: AgentSocket;
  logout(): Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a logged-in shell');
  return s;
}

// What a section keeps in memory for the current user (drafts, caches) is dropped at logout, so the
// next person at the same computer never sees it. Sections register their cleanup here.
const cleanups = new Set<() => void>();
export function onLogout(fn: () => void): void {
  cleanups.add(fn);
}
export function runLogoutCleanups(): void {
  for (const fn of cleanups) fn();
}

import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Language, WidgetConfig } from '@helpline/shared';
import type { Key } from './i18n/index.js';
import type { ChatSession, SessionState } from './session.js';

export interface WidgetContext {
  lang: Language;
  t: (key: Key, params?: Record<string, string | number>) => string;
  config: WidgetConfig;
  session: ChatSession;
  /** The platform's own origin (API and the /report form live there). */
  origin: string;
}

export const Ctx = createContext<WidgetContext>(null as unknown as WidgetContext);
export const useWidget = (): WidgetContext => useContext(Ctx);

/** Re-render on every change of the chat session. */
export function useSessionState(session: ChatSession): SessionState {
  const [state, setState] = useState(session.state);
  useEffect(() => session.subscribe(() => setState(session.state)), [session]);
  return state;
}

// The widget app in the platform's iframe. The loader passes the embedding page's origin and its
// language in the URL hash; everything posted to the host goes to that exact origin only.
import { render } from 'preact';
import { LANGUAGES, type WidgetConfig } from '@helpline/shared';
import { BRIDGE_TAG, isBridgeMessage, type AppToLoaderBody, type LoaderToApp } from '../bridge.js';
import { getConfig } from './api.js';
import { App } from './App.js';
import { ChatSession } from './session.js';
import { storage } from './storage.js';
import './styles.css';

const FALLBACK_CONFIG: WidgetConfig = {
  centreName: 'Helpline',
  primaryColor: '#1f5fa8',
  phoneLine: '',
  email: '',
  hoursText: '',
  exitUrl: 'https://www.google.com/',
  languages: [...LANGUAGES],
  defaultLanguage: 'en',
  reportUrl: '/report',
};

const params = new URLSearchParams(location.hash.slice(1));
const framed = window.parent !== window;
// The browser's own record of who embeds us wins over what the URL claims.
const ancestor = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins?.[0];
const hostOrigin = framed ? (ancestor ?? params.get('host') ?? '') : location.origin;
// Opened in its own tab for alerts (a tapped notification, the installed app, the link from a frame): open at once.
if (!framed && (params.has('alert') || params.has('alerts'))) storage.set('open', '1');

function toHost(m: AppToLoaderBody): void {
  if (framed && hostOrigin) window.parent.postMessage({ tag: BRIDGE_TAG, ...m }, hostOrigin);
}

const session = new ChatSession(location.origin, hostOrigin);
const exitHandlers = new Set<() => void>();
const launcherHandlers = new Set<(what: 'open' | 'focus') => void>();
window.addEventListener('message', (e: MessageEvent) => {
  if (!framed || e.origin !== hostOrigin || e.source !== window.parent || !isBridgeMessage<LoaderToApp>(e.data)) return;
  const type = e.data.type;
  if (type === 'quick-exit') for (const h of exitHandlers) h();
  else if (type === 'open' || type === 'focus') for (const h of launcherHandlers) h(type);
});

void (async () => {
  const res = await getConfig();
  const config = res.ok ? res.data : FALLBACK_CONFIG;
  const browser = [...(navigator.languages ?? []), navigator.language];
  render(
    <App config={config} session={session} origin={location.origin} hostLang={params.get('lang')} browserLangs={browser} toHost={toHost} onQuickExitRequest={(h) => exitHandlers.add(h)} onLauncherRequest={(h) => launcherHandlers.add(h)} />,
    document.getElementById('app')!,
  );
})();

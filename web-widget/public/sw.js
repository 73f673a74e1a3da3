// The widget's service worker (scope /widget/): shows the trend alerts the platform pushes (Web Push,
// encrypted to this browser; the browser decrypts before this runs) and opens the alert in the widget
// when the notification is tapped. Plain JavaScript, served as is: it must stay small and stable,
// and nothing here is built or hashed. The payload is PushAlertPayload (shared/src/protocol/alerts.ts).
/* eslint-env serviceworker */
'use strict';

const WIDGET = new URL('/widget/', self.location.origin).href;

/** Only the widget on this very origin may be opened from a notification. */
function safeUrl(url) {
  try {
    const u = new URL(url, WIDGET);
    return u.href.startsWith(WIDGET) ? u.href : WIDGET;
  } catch {
    return WIDGET;
  }
}

self.addEventListener('push', (event) => {
  let a = null;
  try {
    a = event.data ? event.data.json() : null;
  } catch {
    a = null;
  }
  if (!a || typeof a.title !== 'string' || typeof a.id !== 'string') return;
  // Notifications show text only: nothing in them is ever read as HTML.
  event.waitUntil(
    self.registration.showNotification(String(a.title).slice(0, 200), {
      body: typeof a.body === 'string' ? a.body.slice(0, 300) : '',
      lang: typeof a.language === 'string' ? a.language : '',
      tag: `alert-${a.id}`,
      requireInteraction: a.severity === 'urgent',
      data: { url: safeUrl(a.url) },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = safeUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.openWindow(url));
});

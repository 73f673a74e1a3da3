// Routing's timers and the reconciliation sweep. Every handler checks the current state first, so a
// redelivered or late job changes nothing.
import type { FastifyInstance } from 'fastify';
import { loggableError } from '../http/errors.js';

export function registerRoutingJobs(app: FastifyInstance): { startSweep(): void; stopSweep(): void } {
  const { jobs, router: routing } = app;
  // The durable path of a new conversation: the instance that took it kicked its own loop already, so
  // most of the time it is offered by now and there is nothing to do (a primary-key read instead of a
  // dispatch pass on every instance that takes the job).
  jobs.define('routing', 'route', async (d) => {
    if (await routing.isWaiting(String(d.conversationId))) await routing.dispatch();
  });
  jobs.define('routing', 'positions', async () => {
    await routing.broadcastPositions();
  });
  jobs.define('timers', 'offer-timeout', async (d) => routing.expireOffer(String(d.offerId)));
  jobs.define('timers', 'agent-grace', async (d) => routing.checkAgentGrace(String(d.staffId)));
  jobs.define('timers', 'visitor-grace', async (d) => routing.checkVisitorGrace(String(d.conversationId)));
  jobs.define('timers', 'overflow', async (d) => routing.overflow(String(d.conversationId)));
  // A "Queue for <name>" reservation ran out: the conversation may now go to anyone.
  jobs.define('timers', 'reserve-expiry', async (d) => {
    if (await routing.isWaiting(String(d.conversationId))) await routing.kick();
  });
  jobs.define('timers', 'wrapup-end', async (d) => {
    await routing.emitAgentState(String(d.staffId));
    await routing.kick();
  });

  let timer: NodeJS.Timeout | null = null;
  let running = false;
  return {
    startSweep() {
      if (timer || app.config.SWEEP_INTERVAL_MS === 0) return;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        routing
          .sweep()
          .catch((err: unknown) => app.log.warn({ err: loggableError(err) }, 'sweep failed'))
          .finally(() => {
            running = false;
          });
      }, app.config.SWEEP_INTERVAL_MS);
      timer.unref();
    },
    stopSweep() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

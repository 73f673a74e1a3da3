// Risk: a child's message with risk words raises the conversation to urgent (once) and alerts the
// supervisors. It only re-orders the queue; it never answers the child. The matching is risk.ts.
import type { ConversationRow } from '../conversations/service.js';
import type { RoutingCore, RoutingDeps } from './core.js';
import { findRiskWords } from './risk.js';

export function createRiskCheck(d: RoutingDeps, core: RoutingCore, kick: () => Promise<void>) {
  return async function checkRisk(conv: Pick<ConversationRow, 'id' | 'riskFlaggedAt'>, body: string): Promise<void> {
    if (conv.riskFlaggedAt) return;
    const hit = findRiskWords(body, await d.settings.get('riskWords'));
    if (!hit) return;
    const c = await d.conversations.queue.flagRisk(conv.id);
    if (!c) return;
    // The audit keeps which list matched, never the words the child wrote.
    await d.audit.record({ actorType: 'system', action: 'conversation.risk_flagged', targetType: 'conversation', targetId: c.id, meta: { list: hit.list } });
    core.alert({ kind: 'risk', conversationId: c.id });
    await d.conversations.publish(c);
    await kick();
  };
}

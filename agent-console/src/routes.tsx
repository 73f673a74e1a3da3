// THE ROUTE REGISTRY of the console: one entry per section; the navigation shows the entries whose
// roles include the logged-in staff member's role, in this order.
// Other sections add ONE entry here each and keep their code in their own folder:
//   - hotline analyst section: src/hotline/ (hotline helper)
//   - supervision board: src/supervision/, admin pages: src/admin/ (supervision/admin helper)
// `label` is an i18n key (add it with extendMessages() from your folder, or in i18n/en.ts + bg.ts + sr-Cyrl.ts).
// A component receives { subpath }: the part of the hash path after `path` ('' or '/...').
// Optional: `badge` is shown inside the navigation entry (a live count), `live` is mounted once for the
// whole session while the entry is in the navigation (it keeps the count and raises notifications).
import type { ComponentType } from 'preact';
import type { StaffRole } from '@helpline/shared';
import { CounsellorWorkspace } from './counsellor/workspace.js';
import { ContactLogPage } from './counsellor/contact-log.js';
import { ReturnCodeLookupPage } from './counsellor/return-lookup.js';
import { CasesPage } from './counsellor/cases-page.js';
import { FollowUpsBadge } from './counsellor/follow-ups.js';
import { CannedAdminPage } from './counsellor/canned-admin.js';
import { InstitutionsAdminPage } from './counsellor/institutions-admin.js';
import { ReferralApprovalsPage } from './counsellor/referral-approvals.js';
import { HotlinePage } from './hotline/hotline-page.js';
import { AlertsPage } from './alerts/alerts-page.js';
import { BoardPage } from './supervision/board.js';
import { StatsPage } from './supervision/stats.js';
import { AdminPage } from './admin/admin-page.js';
import { MessagesPage } from './messages/messages-page.js';
import { MessagesBadge, MessagesLive } from './messages/live.js';

export interface RouteProps {
  subpath: string;
}

export interface RouteEntry {
  path: string;
  label: string;
  roles: readonly StaffRole[];
  component: ComponentType<RouteProps>;
  badge?: ComponentType;
  live?: ComponentType;
}

export const ROUTES: RouteEntry[] = [
  { path: '/chats', label: 'nav.chats', roles: ['counsellor', 'supervisor'], component: CounsellorWorkspace },
  { path: '/contacts/new', label: 'nav.logContact', roles: ['counsellor', 'supervisor'], component: ContactLogPage },
  { path: '/messages', label: 'nav.messages', roles: ['counsellor', 'supervisor'], component: MessagesPage, badge: MessagesBadge, live: MessagesLive },
  { path: '/returning', label: 'nav.returning', roles: ['counsellor', 'supervisor'], component: ReturnCodeLookupPage },
  { path: '/cases', label: 'nav.cases', roles: ['counsellor', 'supervisor'], component: CasesPage, badge: FollowUpsBadge },
  { path: '/board', label: 'nav.board', roles: ['supervisor', 'admin'], component: BoardPage },
  { path: '/stats', label: 'nav.stats', roles: ['supervisor', 'admin'], component: StatsPage },
  { path: '/referrals/approvals', label: 'nav.referralApprovals', roles: ['supervisor'], component: ReferralApprovalsPage },
  { path: '/hotline', label: 'nav.hotline', roles: ['analyst', 'supervisor', 'admin'], component: HotlinePage },
  { path: '/alerts', label: 'nav.alerts', roles: ['analyst', 'admin'], component: AlertsPage },
  { path: '/canned', label: 'nav.canned', roles: ['admin'], component: CannedAdminPage },
  { path: '/institutions', label: 'nav.institutions', roles: ['admin'], component: InstitutionsAdminPage },
  { path: '/admin', label: 'nav.admin', roles: ['admin'], component: AdminPage },
];

export function routesFor(role: StaffRole): RouteEntry[] {
  return ROUTES.filter((r) => r.roles.includes(role));
}

/** Where each role lands after login (or on an unknown address): a supervisor's day starts on the board. */
const HOME: Partial<Record<StaffRole, string>> = { supervisor: '/board' };

export function homeFor(role: StaffRole): string | undefined {
  const routes = routesFor(role);
  const home = HOME[role];
  return routes.find((r) => r.path === home)?.path ?? routes[0]?.path;
}

// Administration for admins: staff accounts, opening hours and holidays, the widget, risk words,
// service level and retention, channel inboxes, and the audit log. Every save is recorded in the audit log by the server.
import { useState } from 'preact/hooks';
import type { RouteProps } from '../routes.js';
import { Tabs } from '../components/tabs.js';
import { t, useLanguage } from '../i18n/index.js';
import { StaffAdmin } from './staff.js';
import { HoursForm, RiskWordsForm, ServiceForm, WidgetForm } from './settings.js';
import { AuditLog } from './audit.js';
import { ProfileForm } from './profile.js';
import { InboxesAdmin } from './inboxes.js';
import './i18n.js';
import '../supervision/supervision.css';

type Tab = 'staff' | 'profile' | 'hours' | 'widget' | 'risk' | 'service' | 'inboxes' | 'audit';
const TABS: Tab[] = ['staff', 'profile', 'hours', 'widget', 'risk', 'service', 'inboxes', 'audit'];

export function AdminPage({ subpath }: RouteProps) {
  useLanguage();
  const initial = (TABS as string[]).includes(subpath.slice(1)) ? (subpath.slice(1) as Tab) : 'staff';
  const [tab, setTab] = useState<Tab>(initial);
  return (
    <section class="page admin" aria-labelledby="ad-title">
      <h1 id="ad-title">{t('ad.title')}</h1>
      <Tabs label={t('ad.tabs')} idPrefix="ad" active={tab} onChange={setTab} tabs={TABS.map((k) => ({ key: k, label: t(`ad.tab.${k}`) }))}>
        {tab === 'staff' && <StaffAdmin />}
        {tab === 'profile' && <ProfileForm />}
        {tab === 'hours' && <HoursForm />}
        {tab === 'widget' && <WidgetForm />}
        {tab === 'risk' && <RiskWordsForm />}
        {tab === 'service' && <ServiceForm />}
        {tab === 'inboxes' && <InboxesAdmin />}
        {tab === 'audit' && <AuditLog />}
      </Tabs>
    </section>
  );
}

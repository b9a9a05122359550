import { lazy, type LazyExoticComponent } from 'react';
import type { PageComponent } from './sections';

/**
 * Each page is its own chunk, loaded when first opened: the sign-in screen
 * and the first page do not wait for the code of every other section (the
 * flow editor, billing, the team admin…). The Shell shows a loader while a
 * page's chunk arrives.
 */
const page = <K extends string>(
  load: () => Promise<Record<K, PageComponent>>,
  name: K,
): LazyExoticComponent<PageComponent> => lazy(() => load().then((m) => ({ default: m[name] })));

/** Every section's page, by route key. */
export const pages: Record<string, LazyExoticComponent<PageComponent>> = {
  calls: page(() => import('../features/calls/CallsPage'), 'CallsPage'),
  dashboard: page(() => import('../features/dashboard/DashboardPage'), 'DashboardPage'),
  voicemail: page(() => import('../features/voicemail/VoicemailPage'), 'VoicemailPage'),
  messages: page(() => import('../features/messages/MessagesPage'), 'MessagesPage'),
  contacts: page(() => import('../features/contacts/ContactsPage'), 'ContactsPage'),
  flows: page(() => import('../features/flows/FlowsPage'), 'FlowsPage'),
  numbers: page(() => import('../features/numbers/NumbersPage'), 'NumbersPage'),
  carrier: page(() => import('../features/numbers/CarrierPage'), 'CarrierPage'),
  integrations: page(() => import('../features/integrations/IntegrationsPage'), 'IntegrationsPage'),
  billing: page(() => import('../features/billing/BillingPage'), 'BillingPage'),
  account: page(() => import('../features/account/AccountPage'), 'AccountPage'),
  audit: page(() => import('../features/audit/AuditPage'), 'AuditPage'),
  team: page(() => import('../features/team/TeamPage'), 'TeamPage'),
  settings: page(() => import('../features/settings/SettingsPage'), 'SettingsPage'),
};

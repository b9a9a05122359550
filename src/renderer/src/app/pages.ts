import type { PageComponent } from './sections';
import { CallsPage } from '../features/calls/CallsPage';
import { VoicemailPage } from '../features/voicemail/VoicemailPage';
import { MessagesPage } from '../features/messages/MessagesPage';
import { ContactsPage } from '../features/contacts/ContactsPage';
import { FlowsPage } from '../features/flows/FlowsPage';
import { NumbersPage } from '../features/numbers/NumbersPage';
import { IntegrationsPage } from '../features/integrations/IntegrationsPage';
import { BillingPage } from '../features/billing/BillingPage';
import { AccountPage } from '../features/account/AccountPage';
import { AuditPage } from '../features/audit/AuditPage';
import { TeamPage } from '../features/team/TeamPage';
import { SettingsPage } from '../features/settings/SettingsPage';

/** Every section's page, by route key. */
export const pages: Record<string, PageComponent> = {
  calls: CallsPage,
  voicemail: VoicemailPage,
  messages: MessagesPage,
  contacts: ContactsPage,
  flows: FlowsPage,
  numbers: NumbersPage,
  integrations: IntegrationsPage,
  billing: BillingPage,
  account: AccountPage,
  audit: AuditPage,
  team: TeamPage,
  settings: SettingsPage,
};

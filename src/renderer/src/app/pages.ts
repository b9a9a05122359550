import type { PageComponent } from './sections';
import { CallsPage } from '../features/calls/CallsPage';
import { VoicemailPage } from '../features/voicemail/VoicemailPage';
import { MessagesPage } from '../features/messages/MessagesPage';
import { ContactsPage } from '../features/contacts/ContactsPage';

/** Every section's page, by route key. */
export const pages: Record<string, PageComponent> = {
  calls: CallsPage,
  voicemail: VoicemailPage,
  messages: MessagesPage,
  contacts: ContactsPage,
};

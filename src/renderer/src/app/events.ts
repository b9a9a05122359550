import type { EventName } from '../../../shared/api/events';
import { api, tagTypes } from './api';
import { bridge } from './api';
import type { AppDispatch } from './store';

type Tag = (typeof tagTypes)[number];

/** Which cached views each push event makes stale. */
const invalidates: Record<EventName, Tag[]> = {
  'access.changed': [...tagTypes],
  'users.changed': ['Users', 'Me', 'Directory'],
  'groups.changed': ['Groups', 'Users'],
  'callFlows.changed': ['CallFlows', 'Numbers'],
  'numbers.changed': ['Numbers', 'Me'],
  'calls.changed': ['Calls'],
  'voicemails.changed': ['Voicemails', 'Calls'],
  'messages.changed': ['Messages'],
  'contacts.changed': ['Contacts', 'Calls', 'Messages'],
  'integrations.changed': ['Integrations'],
  'billing.changed': ['Billing', 'Account', 'Me'],
  'account.changed': ['Account', 'Me'],
  'audit.changed': ['Audit'],
  'presence.changed': ['Directory'],
  'carrier.changed': ['Carrier'],
  'emergency.called': ['Emergencies', 'Audit', 'Calls'],
  'dial.requested': [],
  'call.action': [],
};

export function listenForPushEvents(dispatch: AppDispatch): () => void {
  return bridge.on((event) => {
    const tags = invalidates[event.name];
    if (tags) dispatch(api.util.invalidateTags(tags));
  });
}

/** Push events: "something you can see changed; re-fetch it". They carry no data. */
export const eventNames = [
  'access.changed',
  'users.changed',
  'groups.changed',
  'callFlows.changed',
  'numbers.changed',
  'calls.changed',
  'voicemails.changed',
  'messages.changed',
  'contacts.changed',
  'integrations.changed',
  'billing.changed',
  'account.changed',
  'audit.changed',
  /** A teammate's phone registered, went offline, or started or ended a call. */
  'presence.changed',
  /** A trunk was changed, or its live state (registered, failing, unreachable) changed. */
  'carrier.changed',
  /** Someone dialled the emergency services: Administrators are told at once (details in the audit log). */
  'emergency.called',
  /** From the desktop host: a tel: or sip: link was opened with the app. */
  'dial.requested',
  /** From the desktop host: a button of a call notification was pressed (or the notification clicked: `show`). */
  'call.action',
] as const;
export type EventName = (typeof eventNames)[number];
export interface PushEvent {
  name: EventName;
  /** For dial.requested: what to dial. */
  to?: string;
  /** For call.action: which line, and what to do with it. */
  lineId?: string;
  action?: 'answer' | 'decline' | 'show';
}

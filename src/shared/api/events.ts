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
  /** From the desktop host: a tel: or sip: link was opened with the app. */
  'dial.requested',
] as const;
export type EventName = (typeof eventNames)[number];
export interface PushEvent {
  name: EventName;
  /** For dial.requested: what to dial. */
  to?: string;
}

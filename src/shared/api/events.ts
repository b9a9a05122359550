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
] as const;
export type EventName = (typeof eventNames)[number];
export interface PushEvent {
  name: EventName;
}

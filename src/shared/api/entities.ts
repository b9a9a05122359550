import { z } from 'zod';
import { CallAccessLevel, CallDirection, CallResult, Id, ManagerPermission, Plan, Role } from '../primitives';

export const BusinessNumber = z.object({
  id: Id,
  e164: z.string(),
  formatted: z.string(),
  label: z.string(),
  callFlowId: Id.nullable(),
  callFlowName: z.string().nullable(),
  /** The carrier trunk the number comes in on; null: not assigned (or a demo number). */
  trunkId: Id.nullable(),
  trunkName: z.string().nullable(),
});
export type BusinessNumber = z.infer<typeof BusinessNumber>;

export const UserAccess = z.object({
  callAccess: CallAccessLevel,
  /** BNs of the `numbers` scope (empty for other levels). */
  scopeBnIds: z.array(Id),
  outboundCallBnIds: z.array(Id),
  smsBnIds: z.array(Id),
  defaultBnId: Id.nullable(),
  managerPermissions: z.array(ManagerPermission),
});
export type UserAccess = z.infer<typeof UserAccess>;

export const User = z.object({
  id: Id,
  extension: z.string(),
  name: z.string(),
  email: z.string(),
  title: z.string(),
  timezone: z.string(),
  role: Role,
  active: z.boolean(),
  isOwner: z.boolean(),
  groupIds: z.array(Id),
  /** Present only when the viewer may manage this user's access, or it is the viewer. */
  access: UserAccess.nullable(),
  /** What the viewer may do to this user; the main process decides, the UI mirrors. */
  manageable: z.object({
    settings: z.boolean(),
    access: z.boolean(),
    role: z.boolean(),
    permissions: z.boolean(),
    deactivate: z.boolean(),
    reason: z.string().nullable(),
  }),
});
export type User = z.infer<typeof User>;

export const Group = z.object({
  id: Id,
  name: z.string(),
  memberIds: z.array(Id),
});
export type Group = z.infer<typeof Group>;

export const stepKinds = ['greeting', 'hours', 'menu', 'ring_group', 'ring_user', 'voicemail'] as const;

export interface FlowStep {
  kind: (typeof stepKinds)[number];
  /** greeting / voicemail prompt text. */
  text?: string | undefined;
  groupId?: number | undefined;
  userId?: number | undefined;
  ringSeconds?: number | undefined;
  /** hours: weekly opening periods (day 0 = Sunday … 6 = Saturday, HH:MM in `timezone`); the 'closed' branch runs outside them. */
  open?: { day: number; from: string; to: string }[] | undefined;
  timezone?: string | undefined;
  /** menu: digit (or 'timeout') -> steps; hours: 'closed' -> steps. */
  branches?: { key: string; steps: FlowStep[] }[] | undefined;
}

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM');

export const FlowStepSchema: z.ZodType<FlowStep> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('greeting'), text: z.string().trim().min(1).max(500) }),
    z.strictObject({
      kind: z.literal('hours'),
      timezone: z.string().max(64),
      open: z.array(z.strictObject({ day: z.number().int().min(0).max(6), from: HHMM, to: HHMM })).max(21),
      branches: z.array(z.strictObject({ key: z.literal('closed'), steps: z.array(FlowStepSchema).max(20) })).max(1),
    }),
    z.strictObject({
      kind: z.literal('menu'),
      text: z.string().trim().min(1).max(500),
      branches: z
        .array(
          z.strictObject({
            key: z.string().regex(/^([0-9*#]|timeout)$/, 'A menu key is a digit, * or #, or timeout'),
            steps: z.array(FlowStepSchema).max(20),
          }),
        )
        .min(1)
        .max(13),
    }),
    z.strictObject({
      kind: z.literal('ring_group'),
      groupId: Id,
      ringSeconds: z.number().int().min(5).max(300).default(30),
    }),
    z.strictObject({
      kind: z.literal('ring_user'),
      userId: Id,
      ringSeconds: z.number().int().min(5).max(300).default(30),
    }),
    z.strictObject({
      kind: z.literal('voicemail'),
      text: z.string().trim().max(500).default(''),
      userId: Id.optional(),
      groupId: Id.optional(),
    }),
  ]),
);

export const CallFlow = z.object({
  id: Id,
  name: z.string(),
  steps: z.array(FlowStepSchema),
  /** The flow's business numbers the viewer may see. */
  bnIds: z.array(Id),
  /** How many of its numbers the viewer may not see. */
  hiddenBnCount: z.number().int().nonnegative(),
});
export type CallFlow = z.infer<typeof CallFlow>;

export const Participant = z.object({
  userId: Id,
  name: z.string(),
  extension: z.string(),
  role: z.enum(['placed', 'answered', 'transferred', 'missed', 'voicemail']),
});

export const CallRow = z.object({
  id: Id,
  direction: CallDirection,
  result: CallResult,
  bnId: Id.nullable(),
  bnE164: z.string().nullable(),
  externalNumber: z.string().nullable(),
  contactName: z.string().nullable(),
  startedAt: z.number(),
  answeredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  callFlowId: Id.nullable(),
  callFlowName: z.string().nullable(),
  groupId: Id.nullable(),
  groupName: z.string().nullable(),
  participants: z.array(Participant),
  hasVoicemail: z.boolean(),
});
export type CallRow = z.infer<typeof CallRow>;

export const CallEvent = z.object({
  at: z.number(),
  kind: z.enum([
    'entered',
    'greeting',
    'hours_open',
    'hours_closed',
    'menu',
    'ring_group',
    'ring_user',
    'rang',
    'answered',
    'transferred',
    'voicemail',
    'ended',
  ]),
  userId: Id.nullable(),
  userName: z.string().nullable(),
  groupId: Id.nullable(),
  groupName: z.string().nullable(),
  detail: z.string(),
});

/** Which rule of the access policy let the viewer see an item. */
export const VisibilityReason = z.object({
  rule: z.enum(['participant', 'group', 'callflow', 'numbers', 'all']),
  explanation: z.string(),
});
export type VisibilityReason = z.infer<typeof VisibilityReason>;

export const Voicemail = z.object({
  id: Id,
  callId: Id,
  durationSeconds: z.number(),
  transcript: z.string(),
  hasAudio: z.boolean(),
  read: z.boolean(),
});
export type Voicemail = z.infer<typeof Voicemail>;

export const CallDetail = CallRow.extend({
  events: z.array(CallEvent),
  voicemail: Voicemail.nullable(),
  why: VisibilityReason,
});
export type CallDetail = z.infer<typeof CallDetail>;

export const VoicemailRow = Voicemail.extend({ call: CallRow });
export type VoicemailRow = z.infer<typeof VoicemailRow>;

export const Thread = z.object({
  id: Id,
  bnId: Id,
  bnE164: z.string(),
  externalNumber: z.string(),
  contactName: z.string().nullable(),
  assignedUserId: Id.nullable(),
  assignedGroupId: Id.nullable(),
  lastMessageAt: z.number(),
  lastMessagePreview: z.string(),
  /** The last message came in after this user last read the thread. */
  unread: z.boolean(),
});
export type Thread = z.infer<typeof Thread>;

export const Message = z.object({
  id: Id,
  threadId: Id,
  direction: z.enum(['inbound', 'outbound']),
  senderUserId: Id.nullable(),
  senderName: z.string().nullable(),
  body: z.string(),
  sentAt: z.number(),
  /**
   * Delivery through the carrier: an outbound message is `queued` in the
   * outbox until the carrier takes it (`sent`) or refuses it for good
   * (`failed`, with the carrier's answer in `statusReason`); an inbound one
   * is `received`. A queued message that is being retried says why too.
   */
  status: z.enum(['received', 'queued', 'sent', 'failed']),
  statusReason: z.string().nullable(),
  /** The SMS parts it takes (GSM-7 160/153, UCS-2 70/67 characters). */
  segments: z.number().int().positive(),
});
export type Message = z.infer<typeof Message>;

export const Contact = z.object({
  id: Id,
  name: z.string(),
  company: z.string(),
  phone: z.string(),
  email: z.string(),
  notes: z.string(),
});
export type Contact = z.infer<typeof Contact>;

export const integrationProviders = ['hubspot', 'salesforce', 'zoho', 'pipedrive'] as const;
export const Integration = z.object({
  id: Id,
  provider: z.enum(integrationProviders),
  name: z.string(),
  settings: z.object({
    instanceUrl: z.string(),
    logCalls: z.boolean(),
    logMessages: z.boolean(),
    createContacts: z.boolean(),
  }),
  createdAt: z.number(),
  createdByName: z.string(),
});
export type Integration = z.infer<typeof Integration>;

export const Billing = z.object({
  plan: Plan,
  contactName: z.string(),
  contactEmail: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string(),
});
export type Billing = z.infer<typeof Billing>;

export const Account = z.object({
  id: Id,
  name: z.string(),
  plan: Plan,
  status: z.enum(['active', 'cancelled']),
  cancelledAt: z.number().nullable(),
  ownerUserId: Id,
  ownerName: z.string(),
  /** The demo account: its numbers come from a demo catalogue, not from a carrier. */
  demo: z.boolean(),
});
export type Account = z.infer<typeof Account>;

export const AuditEvent = z.object({
  id: Id,
  at: z.number(),
  actorUserId: Id.nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: Id.nullable(),
  summary: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

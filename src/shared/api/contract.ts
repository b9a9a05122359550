import { z } from 'zod';
import {
  Availability,
  CallAccessLevel,
  CallDirection,
  CallResult,
  Cursor,
  E164,
  Email,
  Extension,
  Id,
  Label,
  ManagerPermission,
  PageLimit,
  Password,
  PersonName,
  Plan,
  PresenceState,
  Role,
  SearchText,
  Timestamp,
  managerPermissions,
  pageOf,
} from '../primitives';
import { capabilities } from '../capabilities';
import {
  AddNumbersInput,
  AddNumbersResult,
  Carrier,
  CarrierSettings,
  Country,
  EmergencyNotice,
  Trunk,
  TrunkInput,
} from './carrier';
import {
  Account,
  AuditEvent,
  Billing,
  BusinessNumber,
  CallDetail,
  CallFlow,
  CallRow,
  Contact,
  FlowStepSchema,
  Group,
  Integration,
  Message,
  Thread,
  User,
  VisibilityReason,
  VoicemailRow,
  integrationProviders,
} from './entities';
import { CallAnnotations, CallTag, Dashboard, NoteBody, TagName } from './callReview';
import {
  CallRecordings,
  LiveRecording,
  RecordingAudio,
  RecordingAudioInput,
  RecordingNotice,
  RecordingSettings,
  RecordMode,
  RetentionDays,
  SipCallId,
} from './recordings';

const empty = z.strictObject({});
const ok = z.null();
const idList = z.array(Id).max(500);
const Title = z.string().trim().max(80);
const Timezone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/, 'Not a time zone name');

const Me = z.object({
  user: User,
  /** Set while an Administrator views the console as this user (read-only). */
  viewedBy: z.object({ userId: Id, name: z.string() }).nullable(),
  account: Account,
  capabilities: z.record(z.enum(capabilities), z.boolean()),
  outboundCallNumbers: z.array(BusinessNumber),
  smsNumbers: z.array(BusinessNumber),
  defaultBnId: Id.nullable(),
});
export type Me = z.infer<typeof Me>;

const dateRange = {
  from: Timestamp.optional(),
  to: Timestamp.optional(),
};

const CallFilter = z.strictObject({
  cursor: Cursor.optional(),
  limit: PageLimit,
  direction: CallDirection.optional(),
  result: CallResult.optional(),
  bnId: Id.optional(),
  callFlowId: Id.optional(),
  groupId: Id.optional(),
  userId: Id.optional(),
  search: SearchText.optional(),
  tagId: Id.optional(),
  /** Only calls with a recording. */
  hasRecording: z.boolean().optional(),
  ...dateRange,
  /**
   * Only calls started in this hour of the day (0–23) on `timezone`'s clock:
   * the dashboard's "by hour of day". Needs `timezone`, `from` and `to`.
   */
  hour: z.number().int().min(0).max(23).optional(),
  timezone: Timezone.optional(),
});
export type CallFilter = z.infer<typeof CallFilter>;

const IntegrationSettings = z.strictObject({
  instanceUrl: z
    .string()
    .trim()
    .max(200)
    .pipe(z.url({ protocol: /^https$/, error: 'Use an https:// address' })),
  logCalls: z.boolean().default(true),
  logMessages: z.boolean().default(false),
  createContacts: z.boolean().default(false),
});

const Demographics = {
  title: Title.optional(),
  timezone: Timezone.optional(),
};

const NewUser = z.strictObject({
  name: PersonName,
  email: Email,
  extension: Extension,
  password: Password,
  role: Role.default('agent'),
  callAccess: CallAccessLevel.optional(),
  scopeBnIds: idList.optional(),
  outboundCallBnIds: idList.optional(),
  smsBnIds: idList.optional(),
  groupIds: idList.optional(),
  ...Demographics,
});

/**
 * Names for the ids an audit page's before/after values hold, read when the
 * page is: a number's formatting and label, a person's, group's or flow's
 * name, and whether it is gone since, so the log reads in the screens' words.
 */
const AuditNames = z.object({
  numbers: z.record(z.string(), z.object({ formatted: z.string(), label: z.string(), released: z.boolean() })),
  users: z.record(z.string(), z.object({ name: z.string(), extension: z.string(), active: z.boolean() })),
  groups: z.record(z.string(), z.object({ name: z.string(), deleted: z.boolean() })),
  callFlows: z.record(z.string(), z.object({ name: z.string(), deleted: z.boolean() })),
});
export type AuditNames = z.infer<typeof AuditNames>;

const def = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

const InvitationStatus = z.enum(['pending', 'used', 'expired', 'revoked']);
const Invitation = z.object({
  id: Id,
  userId: Id,
  createdBy: z.string(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  usedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  status: InvitationStatus,
});
export type Invitation = z.infer<typeof Invitation>;
const Device = z.object({
  id: Id,
  userId: Id,
  name: z.string(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type Device = z.infer<typeof Device>;
/** An invitation's secret, as the link carries it. */
const InvitationToken = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'This is not an invitation code; copy the whole link.');

/**
 * The API: every method the renderer may call, with its input and output
 * schemas. Adding a method means adding it here and writing its handler.
 */
export const contract = {
  /**
   * `accountId` chooses among the accounts an email and password both open
   * (asked for only then; see docs/security.md, "One email in several accounts").
   */
  'auth.signIn': def(
    z.strictObject({
      login: z.string().trim().min(1).max(254),
      password: z.string().min(1).max(200),
      accountId: Id.optional(),
    }),
    Me,
  ),
  'auth.signOut': def(empty, ok),
  'auth.me': def(empty, Me),
  'auth.demoUsers': def(
    empty,
    z.array(z.object({ name: z.string(), extension: z.string(), email: z.string(), role: Role, password: z.string() })),
  ),
  'auth.viewAs': def(z.strictObject({ userId: Id.nullable() }), Me),
  'auth.changePassword': def(z.strictObject({ current: z.string().min(1).max(200), next: Password }), ok),

  'users.list': def(
    z.strictObject({
      search: SearchText.optional(),
      role: Role.optional(),
      groupId: Id.optional(),
      includeInactive: z.boolean().default(false),
    }),
    z.array(User),
  ),
  'users.get': def(z.strictObject({ userId: Id }), User),
  'users.add': def(NewUser, User),
  'users.duplicate': def(
    z.strictObject({ sourceUserId: Id, name: PersonName, email: Email, extension: Extension, password: Password }),
    User,
  ),
  'users.deactivate': def(z.strictObject({ userId: Id }), User),
  'users.reactivate': def(z.strictObject({ userId: Id }), User),
  'users.updateSettings': def(
    z.strictObject({
      userId: Id,
      name: PersonName.optional(),
      email: Email.optional(),
      extension: Extension.optional(),
      ...Demographics,
    }),
    User,
  ),
  'users.setRole': def(z.strictObject({ userId: Id, role: Role }), User),
  /** What each role may do (POLICY.md §2), as the policy decides it: for "Compare roles". */
  'users.roleTable': def(
    empty,
    z.array(
      z.object({
        capability: z.string(),
        label: z.string(),
        cells: z.record(Role, z.object({ mark: z.enum(['yes', 'no', 'permission']), note: z.string().nullable() })),
      }),
    ),
  ),
  'users.setCallAccess': def(
    z.strictObject({ userId: Id, callAccess: CallAccessLevel, scopeBnIds: idList.default([]) }),
    User,
  ),
  'users.setOutboundNumbers': def(
    z.strictObject({ userId: Id, outboundCallBnIds: idList, smsBnIds: idList, defaultBnId: Id.nullable().optional() }),
    User,
  ),
  'users.setManagerPermissions': def(
    z.strictObject({ userId: Id, permissions: z.array(ManagerPermission).max(managerPermissions.length) }),
    User,
  ),
  /**
   * The whole user card in one request: each part given is applied, in the
   * order role → basic info → call access → outbound numbers → Manager
   * permissions, with the same checks and audit events as its own method,
   * and only where it changes something. One refusal changes nothing.
   */
  'users.update': def(
    z.strictObject({
      userId: Id,
      name: PersonName.optional(),
      email: Email.optional(),
      extension: Extension.optional(),
      ...Demographics,
      role: Role.optional(),
      callAccess: CallAccessLevel.optional(),
      scopeBnIds: idList.optional(),
      outboundCallBnIds: idList.optional(),
      smsBnIds: idList.optional(),
      defaultBnId: Id.nullable().optional(),
      permissions: z.array(ManagerPermission).max(managerPermissions.length).optional(),
    }),
    User,
  ),

  /**
   * A one-time link for the user to join from a desktop or set their password
   * in a browser: `links` when the console runs as a team server (its
   * address and certificate fingerprint), else only the token.
   */
  'invitations.create': def(
    z.strictObject({ userId: Id, expiresInDays: z.number().int().min(1).max(30).default(7) }),
    z.object({
      invitation: Invitation,
      token: z.string(),
      links: z.object({ app: z.string(), web: z.string() }).nullable(),
    }),
  ),
  'invitations.list': def(z.strictObject({ userId: Id }), z.array(Invitation)),
  'invitations.revoke': def(z.strictObject({ invitationId: Id }), Invitation),
  /** Public: what an invitation is for, and whether it can still be used. */
  'invitations.inspect': def(
    z.strictObject({ token: z.string().max(200) }),
    z.object({
      status: z.enum(['pending', 'used', 'expired', 'revoked', 'unknown']),
      userName: z.string().nullable(),
      login: z.string().nullable(),
      accountName: z.string().nullable(),
      expiresAt: Timestamp.nullable(),
    }),
  ),
  /**
   * Public: uses an invitation once. Sets the invitee's password and, when a
   * device name is given, makes a device credential, returned only here.
   */
  'invitations.redeem': def(
    z.strictObject({
      token: InvitationToken,
      password: Password,
      deviceName: z.string().trim().min(1).max(80).optional(),
    }),
    z.object({
      userName: z.string(),
      login: z.string(),
      accountName: z.string(),
      device: z.object({ id: Id, credential: z.string() }).nullable(),
    }),
  ),
  'devices.list': def(z.strictObject({ userId: Id }), z.array(Device)),
  'devices.revoke': def(z.strictObject({ deviceId: Id }), Device),

  'groups.list': def(empty, z.array(Group)),
  'groups.create': def(z.strictObject({ name: PersonName, memberIds: idList.default([]) }), Group),
  'groups.rename': def(z.strictObject({ groupId: Id, name: PersonName }), Group),
  'groups.setMembers': def(z.strictObject({ groupId: Id, memberIds: idList }), Group),
  'groups.delete': def(z.strictObject({ groupId: Id }), ok),

  'callFlows.list': def(empty, z.array(CallFlow)),
  'callFlows.get': def(z.strictObject({ callFlowId: Id }), CallFlow),
  'callFlows.create': def(z.strictObject({ name: PersonName, steps: z.array(FlowStepSchema).max(30) }), CallFlow),
  'callFlows.update': def(
    z.strictObject({ callFlowId: Id, name: PersonName.optional(), steps: z.array(FlowStepSchema).max(30).optional() }),
    CallFlow,
  ),
  'callFlows.delete': def(z.strictObject({ callFlowId: Id }), ok),

  'numbers.list': def(empty, z.array(BusinessNumber)),
  'numbers.catalogue': def(
    z.strictObject({
      search: z
        .string()
        .trim()
        .max(16)
        .regex(/^\+?\d*$/, 'Digits only')
        .optional(),
    }),
    z.array(z.object({ e164: z.string(), formatted: z.string(), region: z.string(), monthlyCents: z.number() })),
  ),
  'numbers.buy': def(z.strictObject({ e164: E164, label: Label.default('') }), BusinessNumber),
  /**
   * Adds the DIDs the account has from its carrier, each on the given trunk:
   * numbers it has already, or repeated in the list, are skipped (and said so).
   */
  'numbers.add': def(AddNumbersInput, AddNumbersResult),
  'numbers.setLabel': def(z.strictObject({ bnId: Id, label: Label }), BusinessNumber),
  'numbers.route': def(z.strictObject({ bnId: Id, callFlowId: Id.nullable() }), BusinessNumber),
  /** Moves a number to another of the account's trunks (Administrators: they see the trunks). */
  'numbers.setTrunk': def(z.strictObject({ bnId: Id, trunkId: Id }), BusinessNumber),
  'numbers.release': def(z.strictObject({ bnId: Id }), ok),

  /** The carrier's trunks with their live state, and the emergency-call settings (Administrators). */
  'carrier.get': def(empty, Carrier),
  /** Adds (no trunkId) or changes a trunk; a password omitted when editing stays as saved. */
  'carrier.saveTrunk': def(TrunkInput, Trunk),
  'carrier.deleteTrunk': def(z.strictObject({ trunkId: Id }), ok),
  'carrier.saveSettings': def(z.strictObject({ country: Country, mainBnId: Id.nullable() }), CarrierSettings),
  /** Registers the trunk again now; its state follows in carrier.get (event carrier.changed). */
  'carrier.test': def(z.strictObject({ trunkId: Id }), Trunk),

  /** The last 30 days' calls to the emergency services, newest first (Administrators; event emergency.called). */
  'emergencies.list': def(empty, z.array(EmergencyNotice)),
  /** The signed-in Administrator has seen the notice of this emergency call. */
  'emergencies.acknowledge': def(z.strictObject({ emergencyId: Id }), EmergencyNotice),

  /** The contact a phone number belongs to, for naming a caller; null when none. */
  'contacts.lookup': def(
    z.strictObject({ phone: E164 }),
    z.object({ contact: z.object({ id: Id, name: z.string() }).nullable() }),
  ),
  'contacts.list': def(
    z.strictObject({ search: SearchText.optional(), cursor: z.string().max(300).optional(), limit: PageLimit }),
    pageOf(Contact),
  ),
  'contacts.create': def(
    z.strictObject({
      name: PersonName,
      company: Label.default(''),
      phone: E164,
      email: z.union([Email, z.literal('')]).default(''),
      notes: z.string().max(2000).default(''),
      /** Save even though another contact has this number (refused with `conflict` otherwise). */
      sharedNumber: z.boolean().default(false),
    }),
    Contact,
  ),
  'contacts.update': def(
    z.strictObject({
      contactId: Id,
      name: PersonName.optional(),
      company: Label.optional(),
      phone: E164.optional(),
      email: z.union([Email, z.literal('')]).optional(),
      notes: z.string().max(2000).optional(),
      sharedNumber: z.boolean().default(false),
    }),
    Contact,
  ),
  'contacts.delete': def(z.strictObject({ contactId: Id }), ok),

  'integrations.list': def(empty, z.array(Integration)),
  'integrations.create': def(
    z.strictObject({ provider: z.enum(integrationProviders), name: Label.min(1), settings: IntegrationSettings }),
    Integration,
  ),
  'integrations.update': def(
    z.strictObject({ integrationId: Id, name: Label.min(1).optional(), settings: IntegrationSettings.optional() }),
    Integration,
  ),
  'integrations.delete': def(z.strictObject({ integrationId: Id }), ok),

  'billing.get': def(empty, Billing),
  'billing.update': def(
    z.strictObject({
      contactName: PersonName,
      contactEmail: Email,
      addressLine1: z.string().trim().min(1).max(120),
      addressLine2: z.string().trim().max(120).default(''),
      city: z.string().trim().min(1).max(80),
      region: z.string().trim().max(80).default(''),
      postalCode: z.string().trim().min(1).max(20),
      country: z
        .string()
        .trim()
        .regex(/^[A-Z]{2}$/, 'Use a two-letter country code'),
    }),
    Billing,
  ),
  'billing.previewPlanChange': def(
    z.strictObject({ plan: Plan }),
    /** blockers: why the change would be refused now; effects: what it would do to roles and access. */
    z.object({ plan: Plan, effects: z.array(z.string()), blockers: z.array(z.string()) }),
  ),
  'billing.changePlan': def(z.strictObject({ plan: Plan }), Billing),

  'account.get': def(empty, Account),
  'account.cancel': def(z.strictObject({ confirmName: z.string().max(120) }), Account),
  'account.transferOwnership': def(z.strictObject({ userId: Id }), Account),

  'audit.list': def(
    z.strictObject({
      cursor: Cursor.optional(),
      limit: PageLimit,
      actorUserId: Id.optional(),
      targetType: z
        .enum(['user', 'group', 'callFlow', 'number', 'integration', 'billing', 'account', 'contact', 'trunk'])
        .optional(),
      ...dateRange,
    }),
    pageOf(AuditEvent).extend({ names: AuditNames }),
  ),

  'calls.list': def(CallFilter, pageOf(CallRow)),
  /**
   * A one-time ticket to export a list as CSV, any size: the host streams it
   * page by page through the same list method (the desktop app to a file the
   * user chooses, the browser host as a download of GET /export/<token>).
   * `filter` is the list's filter, without cursor or limit.
   */
  'exports.prepare': def(
    z.strictObject({
      kind: z.enum(['calls', 'audit', 'messages']),
      // Any list's filter; the handler parses it again with that list's own schema.
      filter: z
        .union([
          CallFilter.omit({ cursor: true, limit: true }),
          z.strictObject({ actorUserId: Id.optional(), targetType: z.string().max(40).optional(), ...dateRange }),
          z.strictObject({ bnId: Id.optional(), search: SearchText.optional(), ...dateRange }),
        ])
        .default({}),
    }),
    z.object({ token: z.string(), filename: z.string(), expiresAt: Timestamp }),
  ),
  /**
   * How many calls the filter matches, by the list's own query: exact up to
   * a cap, beyond it an estimate (`estimated`), so counting never costs much
   * more than a page.
   */
  'calls.count': def(
    CallFilter.omit({ cursor: true, limit: true }),
    z.object({ count: z.number(), estimated: z.boolean() }),
  ),
  /** The options the calls filters offer this user: only numbers, flows, groups and people their calls can carry. */
  'calls.filterOptions': def(
    empty,
    z.object({
      numbers: z.array(z.object({ id: Id, formatted: z.string(), label: z.string() })),
      callFlows: z.array(z.object({ id: Id, name: z.string() })),
      groups: z.array(z.object({ id: Id, name: z.string() })),
      users: z.array(z.object({ id: Id, name: z.string(), extension: z.string(), active: z.boolean() })),
    }),
  ),
  'calls.get': def(z.strictObject({ callId: Id }), CallDetail),
  'calls.authorizeOutbound': def(
    z.strictObject({ bnId: Id, to: z.union([E164, Extension]) }),
    z.object({ bnId: Id, callerId: z.string(), to: z.string() }),
  ),

  'calls.suggestCallerId': def(z.strictObject({ to: z.union([E164, Extension]) }), z.object({ bnId: Id.nullable() })),

  /** The account's call tags; everyone sees the list, Administrators change it. */
  'callTags.list': def(empty, z.array(CallTag)),
  'callTags.create': def(z.strictObject({ name: TagName }), CallTag),
  'callTags.rename': def(z.strictObject({ tagId: Id, name: TagName }), CallTag),
  /** Deletes the tag and takes it off every call. */
  'callTags.delete': def(z.strictObject({ tagId: Id }), ok),
  /** A call's notes and tags; a call outside the reader's access answers as a missing one. */
  'callAnnotations.get': def(z.strictObject({ callId: Id }), CallAnnotations),
  /** Notes and tags of several calls (a page of an export), each one checked like the call itself. */
  'callAnnotations.list': def(
    z.strictObject({ callIds: z.array(Id).max(200) }),
    z.array(z.object({ callId: Id, annotations: CallAnnotations })),
  ),
  'callAnnotations.addTag': def(z.strictObject({ callId: Id, tagId: Id }), CallAnnotations),
  'callAnnotations.removeTag': def(z.strictObject({ callId: Id, tagId: Id }), CallAnnotations),
  'callNotes.add': def(z.strictObject({ callId: Id, body: NoteBody }), CallAnnotations),
  'callNotes.edit': def(z.strictObject({ noteId: Id, body: NoteBody }), CallAnnotations),
  'callNotes.delete': def(z.strictObject({ noteId: Id }), CallAnnotations),

  /** A call's recordings and recording state; a call outside the reader's access answers as a missing one. */
  'recordings.list': def(z.strictObject({ callId: Id }), CallRecordings),
  /**
   * A recording's audio, a part at a time. Without a handle the recording is
   * opened, which is an audit event (play or download); the handle then reads
   * the following parts.
   */
  'recordings.audio': def(RecordingAudioInput, RecordingAudio),
  /** Deletes a recording and its file (the Delete call recordings capability). */
  'recordings.delete': def(z.strictObject({ recordingId: Id }), CallRecordings),
  /** Which calls are recorded, the notices and the retention, as far as the reader may see them. */
  'recordingSettings.get': def(empty, RecordingSettings),
  /** The account's retention (null: keep) and the record mode of internal calls (Administrators). */
  'recordingSettings.update': def(
    z.strictObject({ retentionDays: RetentionDays.nullable(), internalMode: RecordMode }),
    RecordingSettings,
  ),
  'recordingSettings.setNumber': def(z.strictObject({ bnId: Id, mode: RecordMode }), RecordingSettings),
  /** A call flow's record mode and notice (null: the default notice). */
  'recordingSettings.setFlow': def(
    z.strictObject({ callFlowId: Id, mode: RecordMode, notice: RecordingNotice.nullable() }),
    RecordingSettings,
  ),
  /** Whether the signed-in user may press Record on a call they are on now (the softphone's Record button). */
  'liveRecording.get': def(z.strictObject({ sipCallId: SipCallId }), LiveRecording),
  /** Record a call the user is on, from now to its end, when its line records on demand; nobody hears a notice. */
  'liveRecording.start': def(z.strictObject({ sipCallId: SipCallId }), LiveRecording),
  /**
   * Stop recording a call the user is on, when its line records on demand (a line that records always is not
   * stopped); Record again continues the same recording, the stopped stretch left silent.
   */
  'liveRecording.stop': def(z.strictObject({ sipCallId: SipCallId }), LiveRecording),

  /**
   * The dashboard of the calls the viewer may see, for a range and the calls
   * list's filters (the same query's branches), in the viewer's time zone.
   */
  'dashboard.get': def(
    // The dashboard's rollups do not count recordings or single hours: it has neither filter.
    CallFilter.omit({ cursor: true, limit: true, from: true, to: true, hasRecording: true, hour: true }).extend({
      from: Timestamp,
      to: Timestamp,
      timezone: Timezone,
    }),
    Dashboard,
  ),

  'voicemails.list': def(
    CallFilter.omit({ result: true }).extend({ unreadOnly: z.boolean().default(false) }),
    pageOf(VoicemailRow),
  ),
  'voicemails.audio': def(z.strictObject({ voicemailId: Id }), z.object({ mime: z.string(), base64: z.string() })),
  'voicemails.markRead': def(z.strictObject({ voicemailId: Id }), ok),

  'messages.threads': def(
    z.strictObject({
      cursor: Cursor.optional(),
      limit: PageLimit,
      bnId: Id.optional(),
      search: SearchText.optional(),
      ...dateRange,
    }),
    pageOf(Thread),
  ),
  'messages.list': def(z.strictObject({ threadId: Id, cursor: Cursor.optional(), limit: PageLimit }), pageOf(Message)),
  'messages.why': def(z.strictObject({ threadId: Id }), VisibilityReason),
  'messages.markRead': def(z.strictObject({ threadId: Id }), ok),
  'inbox.counts': def(empty, z.object({ unreadVoicemails: z.number(), unreadThreads: z.number(), capped: z.number() })),
  'messages.send': def(
    z.strictObject({ bnId: Id, to: E164, body: z.string().trim().min(1, 'Type a message').max(1600) }),
    Message,
  ),

  /**
   * Short-lived SIP credentials for the signed-in user's softphone: register
   * `sip:<username>@<domain>` over `wsUrl` with this authorization username
   * and password (and contactName = username), and ask again before `expiresAt`.
   */
  'sip.credentials': def(
    empty,
    z.object({
      username: Extension,
      authorizationUsername: z.string(),
      password: z.string(),
      expiresAt: Timestamp,
      domain: z.string(),
      wsUrl: z.string(),
      /** TURN servers for the calls' ICE, with credentials of this user's own (empty: none configured). */
      iceServers: z.array(
        z.object({ urls: z.array(z.string()), username: z.string().optional(), credential: z.string().optional() }),
      ),
    }),
  ),

  /**
   * The team as the phone sees it: every active member's name, extension and
   * presence (a registered phone, on a call, or none), to call or transfer to.
   * Presence is `offline` for everyone while the phone service is not running.
   */
  'sip.directory': def(
    empty,
    z.object({
      members: z.array(z.object({ userId: Id, name: z.string(), extension: Extension, presence: PresenceState })),
    }),
  ),

  /**
   * The signed-in user's own availability for calls (Do not disturb, Away), shown to the team in sip.directory.
   */
  'sip.setAvailability': def(z.strictObject({ availability: Availability }), z.object({ availability: Availability })),
} as const;

export type Contract = typeof contract;
export type Method = keyof Contract;
export const methods = Object.keys(contract) as Method[];
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;

/**
 * Methods that change nothing. They run in a read transaction, stay open to a
 * read-only "View as", and answer on a cancelled account.
 */
export const readOnlyMethods: ReadonlySet<Method> = new Set<Method>(
  methods.filter((m) =>
    /\.(list|get|me|demoUsers|catalogue|threads|previewPlanChange|authorizeOutbound|suggestCallerId|counts|count|filterOptions|roleTable|export|prepare|audio|why|lookup|directory|inspect)$/.test(
      m,
    ),
  ),
);

/** Methods that answer without a signed-in session. */
export const publicMethods: ReadonlySet<Method> = new Set<Method>([
  'auth.signIn',
  'auth.demoUsers',
  'invitations.inspect',
  'invitations.redeem',
]);

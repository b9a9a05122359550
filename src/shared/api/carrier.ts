import { z } from 'zod';
import { E164, Id, Timestamp } from '../primitives';

/**
 * The carrier settings' shapes (Numbers → Carrier). A trunk's password goes
 * in, never out: after saving, a client only learns `hasPassword`.
 */

const label = (what: string) => `Enter the ${what}`;

/** A DNS name (the carrier's, with SRV records or not) or an IPv4 address. */
export const HostName = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, label('host name'))
  .max(253)
  .regex(
    /^(?:(?:\d{1,3}\.){3}\d{1,3}|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)$/,
    'Enter a host name such as sip.carrier.example or an IPv4 address',
  )
  .refine((h) => !/^\d+(\.\d+){3}$/.test(h) || h.split('.').every((o) => Number(o) <= 255), 'Not an IPv4 address');

export const Port = z.number().int().min(1, 'A port is 1 to 65535').max(65535, 'A port is 1 to 65535');

/** `host` or `host:port`. */
export const ProxyAddress = z
  .string()
  .trim()
  .toLowerCase()
  .max(260)
  .refine((v) => {
    if (v === '') return true;
    const m = /^(.+?)(?::(\d{1,5}))?$/.exec(v);
    return !!m && HostName.safeParse(m[1]).success && (m[2] === undefined || Port.safeParse(Number(m[2])).success);
  }, 'Enter the outbound proxy as host or host:port');

/** An IPv4 network, `203.0.113.0/24` (a plain address means /32). */
export const Cidr = z
  .string()
  .trim()
  .regex(/^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/, 'Enter an address or network such as 203.0.113.0/24')
  .transform((v) => (v.includes('/') ? v : `${v}/32`))
  .refine((v) => {
    const [ip, bits] = v.split('/');
    return ip!.split('.').every((o) => Number(o) <= 255) && Number(bits) <= 32 && Number(bits) >= 8;
  }, 'Enter an address or a network of /8 to /32');

/** A SIP user name as carriers issue them (no separators the proxy's tables use). */
export const SipUser = z
  .string()
  .trim()
  .min(1, label('user name'))
  .max(64)
  .regex(/^[A-Za-z0-9._+=-]+$/, 'A user name has letters, digits and . _ + = - only');

/** Printable characters, no spaces at the ends: what a carrier's portal lets one set. */
export const TrunkPassword = z
  .string()
  .min(1, label('password'))
  .max(128)
  .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'The password has printable characters only');

export const Realm = z
  .string()
  .trim()
  .max(128)
  .regex(/^[A-Za-z0-9._-]*$/, 'A realm has letters, digits, dots and dashes only');

export const transports = ['udp', 'tcp', 'tls'] as const;
export const trunkRoles = ['preferred', 'fallback', 'standby'] as const;
export const callerIdModes = ['from', 'pai'] as const;

export const TrunkInput = z
  .strictObject({
    /** Absent: a new trunk. */
    trunkId: Id.optional(),
    name: z.string().trim().min(1, label('name')).max(80),
    host: HostName,
    /** Null: the carrier's DNS SRV records give the port (and the server). */
    port: Port.nullable(),
    transport: z.enum(transports),
    registration: z
      .strictObject({
        username: SipUser,
        /** When the carrier's digest user differs from the registered user; '' = the same. */
        authUsername: z.union([SipUser, z.literal('')]).default(''),
        /** Omitted when editing: the saved password stays. */
        password: TrunkPassword.optional(),
        realm: Realm.default(''),
        expiry: z.number().int().min(60, 'At least 60 seconds').max(86400, 'At most a day').default(600),
      })
      .nullable(),
    allowCidrs: z.array(Cidr).max(32, 'At most 32 networks').default([]),
    outboundProxy: ProxyAddress.default(''),
    /** Where the caller ID goes: the From header, or P-Asserted-Identity (From then names the trunk's user). */
    callerIdMode: z.enum(callerIdModes).default('pai'),
    /** E.164 with the leading + (`+12135550100`) or without (`12135550100`). */
    callerIdPlus: z.boolean().default(true),
    role: z.enum(trunkRoles).default('standby'),
    /** The carrier takes a long text in one MESSAGE and splits it itself; false: Teamline sends the parts. */
    smsLong: z.boolean().default(false),
  })
  .refine((t) => t.registration !== null || t.allowCidrs.length > 0, {
    message: 'A trunk needs a registration or the carrier’s addresses (or both)',
    path: ['allowCidrs'],
  });

export const trunkStatuses = ['registered', 'registering', 'failing', 'unreachable', 'allowlist', 'off'] as const;

export const TrunkState = z.object({
  /**
   * registered: the carrier accepted the registration; registering: asked, no
   * answer yet; failing: the carrier refused (`lastAnswer`); unreachable: no
   * answer at all; allowlist: the trunk does not register, calls are
   * recognised by their source; off: the phone service is not running.
   */
  status: z.enum(trunkStatuses),
  /** The carrier's last answer to a registration, e.g. "403 Forbidden". */
  lastAnswer: z.string().nullable(),
  /** When the status was last seen to change. */
  since: Timestamp.nullable(),
});
export type TrunkState = z.infer<typeof TrunkState>;

export const Trunk = z.object({
  id: Id,
  name: z.string(),
  host: z.string(),
  port: z.number().nullable(),
  transport: z.enum(transports),
  registration: z
    .object({
      username: z.string(),
      authUsername: z.string(),
      realm: z.string(),
      expiry: z.number(),
      hasPassword: z.boolean(),
    })
    .nullable(),
  allowCidrs: z.array(z.string()),
  outboundProxy: z.string(),
  callerIdMode: z.enum(callerIdModes),
  callerIdPlus: z.boolean(),
  role: z.enum(trunkRoles),
  smsLong: z.boolean(),
  state: TrunkState,
  updatedAt: Timestamp,
});
export type Trunk = z.infer<typeof Trunk>;

export const Country = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'Use a two-letter country code');

export const CarrierSettings = z.object({
  country: z.string(),
  /** The caller ID of an emergency call from someone without a default business number. */
  mainBnId: Id.nullable(),
  /** What dials the emergency services here (911 always). */
  emergencyNumbers: z.array(z.string()),
});
export type CarrierSettings = z.infer<typeof CarrierSettings>;

export const Carrier = z.object({ trunks: z.array(Trunk), settings: CarrierSettings });
export type Carrier = z.infer<typeof Carrier>;

/** Countries that use 999 beside 112 (UK and Ireland); the North American plan uses 911 alone. */
const uses999 = new Set(['GB', 'IE']);
const northAmerica = new Set(['US', 'CA']);

/** The numbers that reach the emergency services from this account: 911 always, and 112 / 999 by country. */
export function emergencyNumbers(country: string): string[] {
  if (northAmerica.has(country)) return ['911'];
  return uses999.has(country) ? ['911', '999', '112'] : ['911', '112'];
}

/** The DIDs an Administrator has from their carrier, pasted in: each becomes a business number on that trunk. */
export const AddNumbersInput = z.strictObject({
  /** Omitted: the preferred trunk (a Manager who manages numbers does not see the trunks). */
  trunkId: Id.optional(),
  numbers: z.array(E164).min(1, 'Enter at least one number').max(100, 'At most 100 numbers at a time'),
  /** The label every added number starts with (one can change each later). */
  label: z.string().trim().max(80).default(''),
});

export const AddNumbersResult = z.object({
  added: z.array(z.object({ id: Id, e164: z.string(), formatted: z.string() })),
  /** Numbers the account has already, or repeated in the list: not added again. */
  skipped: z.array(z.object({ e164: z.string(), formatted: z.string(), reason: z.string() })),
});
export type AddNumbersResult = z.infer<typeof AddNumbersResult>;

/** A call to the emergency services, as the console's notice shows it to Administrators. */
export const EmergencyNotice = z.object({
  id: Id,
  at: Timestamp,
  userId: Id,
  userName: z.string(),
  extension: z.string(),
  /** What was dialled: 911, 112 or 999. */
  number: z.string(),
  /** The caller ID sent to the emergency services (formatted), or null when the account has no number. */
  callerId: z.string().nullable(),
  /** Whether the signed-in Administrator has acknowledged it. */
  acknowledged: z.boolean(),
  /** Who has acknowledged it, and when. */
  acknowledgedBy: z.array(z.object({ name: z.string(), at: Timestamp })),
});
export type EmergencyNotice = z.infer<typeof EmergencyNotice>;

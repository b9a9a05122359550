import type { Trunk } from '../../../../shared/api/carrier';
import { emergencyNumbers } from '../../../../shared/api/carrier';
import { can, capabilityRules } from '../../policy';
import {
  countTrunkNumbers,
  deleteTrunk,
  getCarrierSettings,
  getTrunk,
  insertTrunk,
  listTrunks,
  newContactToken,
  releaseRole,
  saveCarrierSettings,
  trunkByName,
  updateTrunk,
  type TrunkFields,
  type TrunkRow,
} from '../../store/repos/carrier';
import { acknowledgeEmergency, getEmergency, listEmergencies } from '../../store/repos/emergencies';
import { getNumber } from '../../store/repos/numbers';
import { keyFor, seal, trunkContext } from '../../../sip/trunkSecrets';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { conflict, enforce, invalid, notFound } from '../failure';
import type { Handlers } from '../handler';

const phoneOff = { status: 'off', lastAnswer: null, since: null } as const;

/** What a client may know of a trunk: everything but the password (only that there is one) and the contact token. */
function view(ctx: AuthedCtx, t: TrunkRow): Trunk {
  const live = t.register && ctx.phone.sip ? ctx.phone.carrier?.state(t.id) : undefined;
  return {
    id: t.id,
    name: t.name,
    host: t.host,
    port: t.port,
    transport: t.transport,
    registration: t.register
      ? {
          username: t.username,
          authUsername: t.authUsername,
          realm: t.realm,
          expiry: t.expiry,
          hasPassword: t.passwordEnc !== null,
        }
      : null,
    allowCidrs: t.allowCidrs,
    outboundProxy: t.outboundProxy,
    callerIdMode: t.callerIdMode,
    callerIdPlus: t.callerIdPlus,
    role: t.role,
    smsLong: t.smsLong,
    state: live ?? (t.register ? phoneOff : { status: 'allowlist', lastAnswer: null, since: null }),
    updatedAt: t.updatedAt,
  };
}

/** The audit record of a trunk: its settings, with only whether a password is set. */
const auditView = (t: TrunkRow) => ({
  name: t.name,
  host: t.host,
  port: t.port,
  transport: t.transport,
  registration: t.register
    ? { username: t.username, authUsername: t.authUsername, realm: t.realm, expiry: t.expiry }
    : null,
  allowCidrs: t.allowCidrs,
  outboundProxy: t.outboundProxy,
  callerIdMode: t.callerIdMode,
  callerIdPlus: t.callerIdPlus,
  role: t.role,
  smsLong: t.smsLong,
});

function mustGet(ctx: AuthedCtx, id: number): TrunkRow {
  const t = getTrunk(ctx.db, ctx.actor.accountId, id);
  if (!t) throw notFound('That trunk');
  return t;
}

/** Tells the phone service (after this request commits) and the Administrators' consoles. */
function changed(ctx: AuthedCtx) {
  if (ctx.phone.sip) ctx.phone.carrier?.changed();
  ctx.emit('carrier.changed', { kind: 'account', accountId: ctx.actor.accountId });
}

const roleWord = { preferred: 'preferred', fallback: 'fallback', standby: 'standby' } as const;

export const carrierHandlers: Handlers<'carrier'> = {
  'carrier.get': (ctx) => {
    // Reading needs the capability, not a writable account.
    enforce(capabilityRules['carrier.manage'](ctx.actor));
    const settings = getCarrierSettings(ctx.db, ctx.actor.accountId);
    return {
      trunks: listTrunks(ctx.db, ctx.actor.accountId).map((t) => view(ctx, t)),
      settings: { ...settings, emergencyNumbers: emergencyNumbers(settings.country) },
    };
  },

  'carrier.saveTrunk': (ctx, input) => {
    enforce(can(ctx.actor, 'carrier.manage', {}));
    const accountId = ctx.actor.accountId;
    const before = input.trunkId === undefined ? null : mustGet(ctx, input.trunkId);
    const sameName = trunkByName(ctx.db, accountId, input.name);
    if (sameName && sameName.id !== before?.id) throw conflict(`A trunk named ${input.name} exists already.`);
    const reg = input.registration;
    const contactToken = before?.contactToken ?? newContactToken();
    let passwordEnc: string | null = null;
    if (reg) {
      if (reg.password !== undefined) {
        passwordEnc = seal(keyFor(ctx.db), reg.password, trunkContext(accountId, contactToken));
      } else if (before?.passwordEnc) {
        passwordEnc = before.passwordEnc;
      } else {
        throw invalid('Enter the password the carrier gave for this trunk.', {
          'registration.password': 'Enter the password',
        });
      }
    }
    const fields: TrunkFields = {
      name: input.name,
      host: input.host,
      port: input.port,
      transport: input.transport,
      register: reg !== null,
      username: reg?.username ?? '',
      authUsername: reg?.authUsername ?? '',
      passwordEnc,
      realm: reg?.realm ?? '',
      expiry: reg?.expiry ?? 600,
      allowCidrs: [...new Set(input.allowCidrs)],
      outboundProxy: input.outboundProxy,
      callerIdMode: input.callerIdMode,
      callerIdPlus: input.callerIdPlus,
      role: input.role,
      smsLong: input.smsLong,
    };
    // One preferred and one fallback trunk: taking a role moves its holder to standby.
    if (fields.role !== 'standby') releaseRole(ctx.db, accountId, fields.role, before?.id ?? null);
    const at = ctx.now();
    let id: number;
    if (before) {
      updateTrunk(ctx.db, before.id, fields, at);
      id = before.id;
    } else {
      id = insertTrunk(ctx.db, accountId, contactToken, fields, at);
    }
    const after = mustGet(ctx, id);
    const passwordChanged = reg?.password !== undefined && before !== null;
    const what = before
      ? `Changed the trunk ${after.name}${passwordChanged ? ' (new password)' : ''}`
      : `Added the ${roleWord[after.role]} trunk ${after.name} (${after.host})`;
    audit(
      ctx,
      before ? 'trunk.update' : 'trunk.create',
      { type: 'trunk', id },
      what,
      before ? { ...auditView(before), passwordSet: before.passwordEnc !== null } : null,
      { ...auditView(after), passwordSet: after.passwordEnc !== null, passwordChanged },
    );
    changed(ctx);
    return view(ctx, after);
  },

  'carrier.deleteTrunk': (ctx, { trunkId }) => {
    enforce(can(ctx.actor, 'carrier.manage', {}));
    const t = mustGet(ctx, trunkId);
    // A number without a trunk has no way to the carrier that is shown anywhere: move them first.
    const inUse = countTrunkNumbers(ctx.db, t.id);
    if (inUse > 0) {
      throw conflict(
        `${inUse === 1 ? 'One business number is' : `${inUse} business numbers are`} on the trunk ${t.name}: ` +
          'move them to another trunk (Numbers → the number’s menu → Trunk) or release them first.',
      );
    }
    deleteTrunk(ctx.db, t.id);
    audit(ctx, 'trunk.delete', { type: 'trunk', id: t.id }, `Removed the trunk ${t.name}`, auditView(t), null);
    changed(ctx);
    return null;
  },

  'carrier.saveSettings': (ctx, { country, mainBnId }) => {
    enforce(can(ctx.actor, 'carrier.manage', {}));
    const accountId = ctx.actor.accountId;
    if (mainBnId !== null && !getNumber(ctx.db, accountId, mainBnId)) {
      throw notFound('That business number');
    }
    const before = getCarrierSettings(ctx.db, accountId);
    saveCarrierSettings(ctx.db, accountId, { country, mainBnId }, ctx.now());
    audit(
      ctx,
      'carrier.settings',
      { type: 'account', id: accountId },
      `Set the emergency calling country to ${country}`,
      before,
      { country, mainBnId },
    );
    changed(ctx);
    return { country, mainBnId, emergencyNumbers: emergencyNumbers(country) };
  },

  /** Registers the trunk again now; the page then watches its state. */
  'carrier.test': (ctx, { trunkId }) => {
    enforce(can(ctx.actor, 'carrier.manage', {}));
    const t = mustGet(ctx, trunkId);
    if (!ctx.phone.sip) throw conflict(ctx.phone.problem);
    ctx.phone.carrier?.test(t.id);
    return view(ctx, t);
  },
};

/** How far back the console's emergency notices reach. */
const EMERGENCY_DAYS = 30;

/**
 * The notices of calls to the emergency services, for the Administrators
 * (the people the proxy tells at once). Each Administrator acknowledges
 * them for themselves: one person seeing it does not hide it from another.
 */
export const emergenciesHandlers: Handlers<'emergencies'> = {
  'emergencies.list': (ctx) => {
    // Reading needs the capability, not a writable account.
    enforce(capabilityRules['carrier.manage'](ctx.actor));
    const since = ctx.now() - EMERGENCY_DAYS * 86_400_000;
    return listEmergencies(ctx.db, ctx.actor.accountId, since, ctx.actor.userId);
  },

  // Like a read mark: one's own, so it stays open on a cancelled account (a notice from before still wants it).
  'emergencies.acknowledge': (ctx, { emergencyId }) => {
    enforce(capabilityRules['carrier.manage'](ctx.actor));
    const e = getEmergency(ctx.db, ctx.actor.accountId, emergencyId, ctx.actor.userId);
    if (!e) throw notFound('That emergency call');
    if (acknowledgeEmergency(ctx.db, e.id, ctx.actor.userId, ctx.now())) {
      audit(
        ctx,
        'emergency.acknowledge',
        { type: 'user', id: e.userId },
        `Acknowledged the call of ${e.userName} (extension ${e.extension}) to ${e.number}`,
        null,
        { emergencyId: e.id },
      );
      ctx.emit('emergency.called', { kind: 'account', accountId: ctx.actor.accountId });
    }
    return getEmergency(ctx.db, ctx.actor.accountId, emergencyId, ctx.actor.userId)!;
  },
};

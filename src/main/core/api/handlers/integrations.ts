import { can, capabilityRules } from '../../policy';
import {
  deleteIntegration,
  getIntegration,
  insertIntegration,
  listIntegrations,
  updateIntegration,
} from '../../store/repos/integrations';
import { audit } from '../audit';
import type { AuthedCtx } from '../context';
import { enforce, notFound } from '../failure';
import type { Handlers } from '../handler';

function mustGet(ctx: AuthedCtx, id: number) {
  const i = getIntegration(ctx.db, ctx.actor.accountId, id);
  if (!i) throw notFound('That integration');
  return i;
}

const providerName = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  zoho: 'Zoho CRM',
  pipedrive: 'Pipedrive',
} as const;

const changed = (ctx: AuthedCtx) =>
  ctx.emit('integrations.changed', { kind: 'account', accountId: ctx.actor.accountId });

export const integrationsHandlers: Handlers<'integrations'> = {
  'integrations.list': (ctx) => {
    // Reading needs the capability, not a writable account.
    enforce(capabilityRules['integrations.manage'](ctx.actor));
    return listIntegrations(ctx.db, ctx.actor.accountId);
  },
  'integrations.create': (ctx, { provider, name, settings }) => {
    enforce(can(ctx.actor, 'integration.manage', {}));
    const id = insertIntegration(ctx.db, {
      accountId: ctx.actor.accountId,
      provider,
      name,
      settings,
      createdBy: ctx.actor.userId,
      at: ctx.now(),
    });
    audit(
      ctx,
      'integration.create',
      { type: 'integration', id },
      `Set up the ${providerName[provider]} integration ${name}`,
      null,
      { provider, name, settings },
    );
    changed(ctx);
    return mustGet(ctx, id);
  },
  'integrations.update': (ctx, { integrationId, name, settings }) => {
    const i = mustGet(ctx, integrationId);
    enforce(can(ctx.actor, 'integration.manage', {}));
    updateIntegration(ctx.db, i.id, name ?? i.name, settings ?? i.settings);
    const after = mustGet(ctx, i.id);
    audit(
      ctx,
      'integration.update',
      { type: 'integration', id: i.id },
      `Changed the integration ${i.name}`,
      { name: i.name, settings: i.settings },
      { name: after.name, settings: after.settings },
    );
    changed(ctx);
    return after;
  },
  'integrations.delete': (ctx, { integrationId }) => {
    const i = mustGet(ctx, integrationId);
    enforce(can(ctx.actor, 'integration.manage', {}));
    deleteIntegration(ctx.db, i.id);
    audit(
      ctx,
      'integration.delete',
      { type: 'integration', id: i.id },
      `Deleted the integration ${i.name}`,
      { provider: i.provider, name: i.name, settings: i.settings },
      null,
    );
    changed(ctx);
    return null;
  },
};

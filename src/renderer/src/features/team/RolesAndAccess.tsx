import { Alert, Badge, Button, Checkbox, Group, Radio, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconInfoCircle, IconTable } from '@tabler/icons-react';
import { useState } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { BusinessNumber, User, UserAccess } from '../../../../shared/api/entities';
import type { CallAccessLevel, ManagerPermission, Role } from '../../../../shared/primitives';
import { accessHelp, accessLabel, roleLabel } from '../../ui/format';
import {
  defaultLevel,
  levelRefusal,
  levelsForRole,
  permissionHelp,
  permissionLabel,
  permissionOrder,
  planName,
  roleChangeEffect,
  roleHelp,
  roleOrder,
  roleRefusal,
} from './access';
import { CardSection, headingLabel, LockedNote } from './feedback';
import { NumberChecklist } from './NumberChecklist';
import { RoleTable } from './RoleTable';

/** The card's unsaved "Roles and Access": what the form shows and what "Save settings" sends. */
export interface AccessDraft {
  role: Role;
  callAccess: CallAccessLevel;
  scope: number[];
  call: number[];
  sms: number[];
  /** As chosen; the effective default is always one of `call` (defaultOf). */
  defaultBnId: number | null;
  permissions: ManagerPermission[];
}

/** The parts of "Roles and Access" that are sent only when the viewer edited them. */
export type AccessPart = 'access' | 'outbound' | 'permissions';

const noAccess: UserAccess = {
  callAccess: 'personal',
  scopeBnIds: [],
  outboundCallBnIds: [],
  smsBnIds: [],
  defaultBnId: null,
  managerPermissions: [],
};

export function draftOf(u: User): AccessDraft {
  const a = u.access ?? noAccess;
  return {
    role: u.role,
    callAccess: a.callAccess,
    scope: a.scopeBnIds,
    call: a.outboundCallBnIds,
    sms: a.smsBnIds,
    defaultBnId: a.defaultBnId,
    permissions: a.managerPermissions,
  };
}

/**
 * What the main process will make of the user's access when their role
 * becomes `role` (docs/policy-decisions.md): call access goes to the role's
 * default, and a new Manager sees the numbers they could already use.
 */
export function draftAfterRole(u: User, role: Role): AccessDraft {
  const d = draftOf(u);
  if (role === u.role) return d;
  const level = defaultLevel[role];
  return {
    ...d,
    role,
    callAccess: level,
    scope: role === 'manager' ? [...new Set([...d.scope, ...d.call, ...d.sms])] : [],
    permissions: [],
  };
}

/** The default caller ID as it will be saved: the chosen one while it is an outbound number, else the first. */
export const defaultOf = (d: AccessDraft) =>
  d.defaultBnId !== null && d.call.includes(d.defaultBnId) ? d.defaultBnId : (d.call[0] ?? null);

interface Props {
  me: Me;
  user: User;
  /** The business numbers the viewer may see: the only ones they may give. */
  numbers: readonly BusinessNumber[];
  /** The card already says why nothing here can be changed. */
  quiet?: boolean;
  draft: AccessDraft;
  onRole: (role: Role) => void;
  onEdit: (part: AccessPart, patch: Partial<AccessDraft>) => void;
  errors: Record<string, string>;
}

/**
 * "Roles and Access": the role, the call access level, the outbound numbers
 * and a Manager's permissions. Controlled: the user card keeps the draft and
 * saves it with the basic information in one request.
 */
export function RolesAndAccess(props: Props) {
  const { user, draft } = props;
  return (
    <Stack gap="sm">
      <RoleSection {...props} />
      {user.access ? (
        <>
          <CallAccessSection {...props} />
          <OutboundSection {...props} />
          {draft.role === 'manager' && <PermissionsSection {...props} />}
        </>
      ) : (
        <CardSection title="Call access and numbers">
          <LockedNote>
            {user.name}’s call access and numbers are not visible to you
            {user.manageable.reason && !props.quiet ? `: ${user.manageable.reason}` : '.'}
          </LockedNote>
        </CardSection>
      )}
    </Stack>
  );
}

function RoleSection({ me, user, draft, onRole, errors }: Props) {
  const [comparing, setComparing] = useState(false);
  const refusal = roleRefusal(me, user);
  const basic = me.account.plan === 'basic';
  const compare = (
    <Button
      variant="subtle"
      size="compact-sm"
      leftSection={<IconTable size={14} />}
      onClick={() => setComparing(true)}
      w="fit-content"
    >
      Compare roles
    </Button>
  );
  const table = comparing && <RoleTable highlight={draft.role} onClose={() => setComparing(false)} />;

  if (refusal) {
    return (
      <CardSection title="Role">
        <Group gap="xs">
          <Badge size="lg" color={roleColor[user.role]}>
            {roleLabel[user.role]}
          </Badge>
          <Text size="sm" c="dimmed">
            {roleHelp[user.role]}
          </Text>
        </Group>
        <LockedNote>{refusal}</LockedNote>
        {compare}
        {table}
      </CardSection>
    );
  }

  const why = (r: Role): string | null =>
    basic && r === 'manager' ? 'The Manager role needs the Business plan or above.' : null;

  return (
    <CardSection title="Role" hideHeading>
      <Radio.Group
        label="Role"
        styles={headingLabel}
        value={draft.role}
        onChange={(v) => onRole(v as Role)}
        error={errors.role}
      >
        <Stack gap={8} mt={6}>
          {roleOrder.map((r) => (
            <Radio
              key={r}
              value={r}
              label={roleLabel[r]}
              description={why(r) ?? roleHelp[r]}
              disabled={why(r) !== null}
            />
          ))}
        </Stack>
      </Radio.Group>
      {compare}
      {table}
      {draft.role !== user.role && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={16} />} py="xs">
          <Text size="sm">
            Making {user.name} {article(draft.role)} {roleLabel[draft.role]}: {roleChangeEffect[draft.role]}
          </Text>
        </Alert>
      )}
    </CardSection>
  );
}

function CallAccessSection({ me, user, numbers, draft, onEdit, errors }: Props) {
  const canEdit = user.manageable.access;
  const levels = levelsForRole[draft.role];
  const basic = me.account.plan === 'basic';
  const saved = user.access?.callAccess;

  if (draft.role === 'administrator') {
    return (
      <CardSection title="Call access" description="Which calls, voicemails and messages they see.">
        <Group gap="xs">
          <Badge variant="outline" color="gray">
            {accessLabel.all}
          </Badge>
          <Text size="sm">Administrators always see everything in the account.</Text>
        </Group>
      </CardSection>
    );
  }

  return (
    <CardSection title="Call access" hideHeading>
      <Radio.Group
        label="Call access"
        description="Which calls, voicemails and messages they see, besides the ones they took part in."
        styles={headingLabel}
        value={draft.callAccess}
        onChange={(v) => onEdit('access', { callAccess: v as CallAccessLevel })}
        error={errors.callAccess}
      >
        {!canEdit && <LockedNote>{user.manageable.reason ?? 'You cannot change this.'}</LockedNote>}
        {basic && canEdit && (
          <Text size="sm" c="dimmed" mb={6}>
            On the {planName.basic} plan every Agent has “Calling group” access; choosing another level needs the
            Business plan or above.
          </Text>
        )}
        <Stack gap={8}>
          {levels.map((l) => {
            const refusal = levelRefusal(me, l);
            return (
              <Radio
                key={l}
                value={l}
                label={accessLabel[l]}
                description={refusal && l !== saved ? `${accessHelp[l]} ${refusal}` : accessHelp[l]}
                disabled={!canEdit || (refusal !== null && l !== saved)}
              />
            );
          })}
        </Stack>
      </Radio.Group>
      {draft.callAccess === 'numbers' && (
        <NumberChecklist
          label="Business numbers in their access"
          description="They see every call, voicemail and message on these numbers."
          numbers={numbers}
          value={draft.scope}
          onChange={(scope) => onEdit('access', { scope })}
          disabled={!canEdit || levelRefusal(me, 'numbers') !== null}
          error={errors.scopeBnIds}
        />
      )}
    </CardSection>
  );
}

function OutboundSection({ me, user, numbers, draft, onEdit, errors }: Props) {
  const canEdit = user.manageable.access;
  const basic = me.account.plan === 'basic';

  if (draft.role === 'administrator') {
    return (
      <CardSection title="Outbound call and SMS numbers">
        <Text size="sm">Administrators may call and text from every business number.</Text>
      </CardSection>
    );
  }

  const defaultBnId = defaultOf(draft);
  const byId = new Map(numbers.map((n) => [n.id, n]));

  return (
    <CardSection
      title="Outbound call and SMS numbers"
      description="The business numbers they may use as caller ID and send texts from. Their dialer and composer offer only these."
    >
      {!canEdit && <LockedNote>{user.manageable.reason ?? 'You cannot change this.'}</LockedNote>}
      {basic && (
        <Text size="sm" c="dimmed">
          On the {planName.basic} plan everyone calls and texts from every number; limiting them needs the Business plan
          or above.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
        <NumberChecklist
          label="Outbound call numbers"
          numbers={numbers}
          value={draft.call}
          onChange={(call) => onEdit('outbound', { call })}
          disabled={!canEdit}
          error={errors.outboundCallBnIds}
        />
        <NumberChecklist
          label="SMS numbers"
          numbers={numbers}
          value={draft.sms}
          onChange={(sms) => onEdit('outbound', { sms })}
          disabled={!canEdit}
          error={errors.smsBnIds}
        />
      </SimpleGrid>
      <Select
        label="Default caller ID"
        description={
          draft.call.length === 0
            ? 'Choose an outbound call number first.'
            : 'Used when the dialer has no better suggestion.'
        }
        w={{ base: '100%', xs: 320 }}
        data={draft.call.map((id) => {
          const n = byId.get(id);
          return {
            value: String(id),
            label: n ? (n.label ? `${n.formatted} · ${n.label}` : n.formatted) : 'Another number (not visible to you)',
          };
        })}
        value={defaultBnId === null ? null : String(defaultBnId)}
        onChange={(v) => onEdit('outbound', { defaultBnId: v ? Number(v) : null })}
        allowDeselect={false}
        disabled={!canEdit || draft.call.length === 0}
        error={errors.defaultBnId}
      />
      {draft.call.length === 0 && draft.sms.length === 0 && (
        <Text size="xs" c="dimmed">
          With no numbers they can still take calls and call colleagues, but cannot call out or send texts.
        </Text>
      )}
    </CardSection>
  );
}

function PermissionsSection({ user, draft, onEdit, errors }: Props) {
  // A Manager-to-be starts with the standard permissions; they are set on the saved Manager.
  const becoming = user.role !== 'manager';
  const canEdit = user.manageable.permissions && !becoming;
  return (
    <CardSection title="Manager permissions" hideHeading>
      <Checkbox.Group
        label="Manager permissions"
        description="What this Manager may do besides their own calls. Managers add and manage Agents only."
        styles={headingLabel}
        value={draft.permissions}
        onChange={(v) => onEdit('permissions', { permissions: v as ManagerPermission[] })}
        error={errors.permissions}
      >
        {becoming ? (
          <LockedNote>
            They start with the standard Manager permissions; change them here once the new role is saved.
          </LockedNote>
        ) : (
          !canEdit && <LockedNote>Only Administrators set a Manager’s permissions.</LockedNote>
        )}
        {!becoming && (
          <Stack gap={6} mt={!canEdit ? 6 : 0}>
            {permissionOrder.map((p) => (
              <Checkbox
                key={p}
                value={p}
                label={permissionLabel[p]}
                description={permissionHelp[p]}
                disabled={!canEdit}
              />
            ))}
          </Stack>
        )}
      </Checkbox.Group>
    </CardSection>
  );
}

export const roleColor: Record<Role, string> = { agent: 'gray', manager: 'teal', administrator: 'indigo' };
export const article = (r: Role) => (r === 'agent' || r === 'administrator' ? 'an' : 'a');

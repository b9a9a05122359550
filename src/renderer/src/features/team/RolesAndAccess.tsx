import { Alert, Badge, Checkbox, Group, Radio, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { BusinessNumber, User, UserAccess } from '../../../../shared/api/entities';
import type { CallAccessLevel, ManagerPermission, Role } from '../../../../shared/primitives';
import { accessHelp, accessLabel, roleLabel } from '../../ui/format';
import { notifySaved } from '../../ui/notify';
import {
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
  sameIds,
} from './access';
import { useSetCallAccessMutation, useSetManagerPermissionsMutation, useSetOutboundNumbersMutation, useSetRoleMutation } from './api';
import { CardSection, headingLabel, LockedNote, useFeedback } from './feedback';
import { NumberChecklist } from './NumberChecklist';

interface Props {
  me: Me;
  user: User;
  /** The business numbers the viewer may see: the only ones they may give. */
  numbers: readonly BusinessNumber[];
  /** The card already says why nothing here can be changed. */
  quiet?: boolean;
}

/** "Roles and Access": the role, the call access level, the outbound numbers and a Manager's permissions, each saved on its own. */
export function RolesAndAccess({ me, user, numbers, quiet }: Props) {
  const a = user.access;
  return (
    <Stack gap="sm">
      <RoleSection key={`${user.id}:${user.role}`} me={me} user={user} />
      {a ? (
        <>
          <CallAccessSection
            key={`${user.id}:${user.role}:${a.callAccess}:${a.scopeBnIds.join(',')}`}
            me={me}
            user={user}
            access={a}
            numbers={numbers}
          />
          <OutboundSection
            key={`${user.id}:${user.role}:${a.outboundCallBnIds.join(',')}:${a.smsBnIds.join(',')}:${a.defaultBnId}`}
            me={me}
            user={user}
            access={a}
            numbers={numbers}
          />
          {user.role === 'manager' && <PermissionsSection key={`${user.id}:${a.managerPermissions.join(',')}`} user={user} access={a} />}
        </>
      ) : (
        <CardSection title="Call access and numbers">
          <LockedNote>
            {user.name}’s call access and numbers are not visible to you
            {user.manageable.reason && !quiet ? `: ${user.manageable.reason}` : '.'}
          </LockedNote>
        </CardSection>
      )}
    </Stack>
  );
}

function RoleSection({ me, user }: { me: Me; user: User }) {
  const [role, setRole] = useState<Role>(user.role);
  const [save, saving] = useSetRoleMutation();
  const fb = useFeedback();
  const refusal = roleRefusal(me, user);
  const basic = me.account.plan === 'basic';

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
      </CardSection>
    );
  }

  async function submit() {
    await fb.handle(save({ userId: user.id, role }), (u) => notifySaved(`${u.name} is now ${article(u.role)} ${roleLabel[u.role]}.`));
  }

  const why = (r: Role): string | null => {
    if (basic && r === 'manager') return 'The Manager role needs the Business plan or above.';
    return null;
  };

  return (
    <CardSection
      title="Role"
      hideHeading
      onSubmit={submit}
      saveLabel="Save role"
      saving={saving.isLoading}
      dirty={role !== user.role}
      refusal={fb.refusal}
    >
      <Radio.Group
        label="Role"
        styles={headingLabel}
        value={role}
        onChange={fb.editing((v: string) => setRole(v as Role))}
        error={fb.errors.role}
      >
        <Stack gap={8} mt={6}>
          {roleOrder.map((r) => (
            <Radio key={r} value={r} label={roleLabel[r]} description={why(r) ?? roleHelp[r]} disabled={why(r) !== null} />
          ))}
        </Stack>
      </Radio.Group>
      {role !== user.role && (
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={16} />} py="xs">
          <Text size="sm">
            Making {user.name} {article(role)} {roleLabel[role]}: {roleChangeEffect[role]}
          </Text>
        </Alert>
      )}
    </CardSection>
  );
}

function CallAccessSection({ me, user, access, numbers }: Props & { access: UserAccess }) {
  const [level, setLevel] = useState<CallAccessLevel>(access.callAccess);
  const [scope, setScope] = useState<number[]>(access.scopeBnIds);
  const [save, saving] = useSetCallAccessMutation();
  const fb = useFeedback();
  const canEdit = user.manageable.access;
  const levels = levelsForRole[user.role];
  const basic = me.account.plan === 'basic';

  if (user.role === 'administrator') {
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

  const dirty = level !== access.callAccess || (level === 'numbers' && !sameIds(scope, access.scopeBnIds));

  async function submit() {
    await fb.handle(save({ userId: user.id, callAccess: level, scopeBnIds: level === 'numbers' ? scope : [] }), (u) =>
      notifySaved(`${u.name}’s call access is now “${accessLabel[u.access?.callAccess ?? level]}”.`),
    );
  }

  return (
    <CardSection
      title="Call access"
      hideHeading
      onSubmit={canEdit ? submit : undefined}
      saveLabel="Save access"
      saving={saving.isLoading}
      dirty={dirty}
      refusal={fb.refusal}
    >
      <Radio.Group
        label="Call access"
        description="Which calls, voicemails and messages they see, besides the ones they took part in."
        styles={headingLabel}
        value={level}
        onChange={fb.editing((v: string) => setLevel(v as CallAccessLevel))}
        error={fb.errors.callAccess}
      >
        {!canEdit && <LockedNote>{user.manageable.reason ?? 'You cannot change this.'}</LockedNote>}
        {basic && canEdit && (
          <Text size="sm" c="dimmed" mb={6}>
            On the {planName.basic} plan every Agent has “Calling group” access; choosing another level needs the Business plan or above.
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
                description={refusal && l !== access.callAccess ? `${accessHelp[l]} ${refusal}` : accessHelp[l]}
                disabled={!canEdit || (refusal !== null && l !== access.callAccess)}
              />
            );
          })}
        </Stack>
      </Radio.Group>
      {level === 'numbers' && (
        <NumberChecklist
          label="Business numbers in their access"
          description="They see every call, voicemail and message on these numbers."
          numbers={numbers}
          value={scope}
          onChange={fb.editing(setScope)}
          disabled={!canEdit || levelRefusal(me, 'numbers') !== null}
          error={fb.errors.scopeBnIds}
        />
      )}
    </CardSection>
  );
}

function OutboundSection({ me, user, access, numbers }: Props & { access: UserAccess }) {
  const [call, setCall] = useState<number[]>(access.outboundCallBnIds);
  const [sms, setSms] = useState<number[]>(access.smsBnIds);
  const [chosenDefault, setDefault] = useState<number | null>(access.defaultBnId);
  const [save, saving] = useSetOutboundNumbersMutation();
  const fb = useFeedback();
  const canEdit = user.manageable.access;
  const basic = me.account.plan === 'basic';

  if (user.role === 'administrator') {
    return (
      <CardSection title="Outbound call and SMS numbers">
        <Text size="sm">Administrators may call and text from every business number.</Text>
      </CardSection>
    );
  }

  // The default caller ID is always one of the outbound call numbers.
  const defaultBnId = chosenDefault !== null && call.includes(chosenDefault) ? chosenDefault : (call[0] ?? null);
  const dirty = !sameIds(call, access.outboundCallBnIds) || !sameIds(sms, access.smsBnIds) || defaultBnId !== access.defaultBnId;
  const byId = new Map(numbers.map((n) => [n.id, n]));

  async function submit() {
    await fb.handle(save({ userId: user.id, outboundCallBnIds: call, smsBnIds: sms, defaultBnId }), (u) =>
      notifySaved(`${u.name}’s outbound numbers saved.`),
    );
  }

  return (
    <CardSection
      title="Outbound call and SMS numbers"
      description="The business numbers they may use as caller ID and send texts from. Their dialer and composer offer only these."
      onSubmit={canEdit ? submit : undefined}
      saveLabel="Save numbers"
      saving={saving.isLoading}
      dirty={dirty}
      refusal={fb.refusal}
    >
      {!canEdit && <LockedNote>{user.manageable.reason ?? 'You cannot change this.'}</LockedNote>}
      {basic && (
        <Text size="sm" c="dimmed">
          On the {planName.basic} plan everyone calls and texts from every number; limiting them needs the Business plan or above.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
        <NumberChecklist
          label="Outbound call numbers"
          numbers={numbers}
          value={call}
          onChange={fb.editing(setCall)}
          disabled={!canEdit}
          error={fb.errors.outboundCallBnIds}
        />
        <NumberChecklist
          label="SMS numbers"
          numbers={numbers}
          value={sms}
          onChange={fb.editing(setSms)}
          disabled={!canEdit}
          error={fb.errors.smsBnIds}
        />
      </SimpleGrid>
      <Select
        label="Default caller ID"
        description={call.length === 0 ? 'Choose an outbound call number first.' : 'Used when the dialer has no better suggestion.'}
        w={{ base: '100%', xs: 320 }}
        data={call.map((id) => {
          const n = byId.get(id);
          return {
            value: String(id),
            label: n ? (n.label ? `${n.formatted} · ${n.label}` : n.formatted) : 'Another number (not visible to you)',
          };
        })}
        value={defaultBnId === null ? null : String(defaultBnId)}
        onChange={(v) => setDefault(v ? Number(v) : null)}
        allowDeselect={false}
        disabled={!canEdit || call.length === 0}
        error={fb.errors.defaultBnId}
      />
      {call.length === 0 && sms.length === 0 && (
        <Text size="xs" c="dimmed">
          With no numbers they can still take calls and call colleagues, but cannot call out or send texts.
        </Text>
      )}
    </CardSection>
  );
}

function PermissionsSection({ user, access }: { user: User; access: UserAccess }) {
  const [perms, setPerms] = useState<ManagerPermission[]>(access.managerPermissions);
  const [save, saving] = useSetManagerPermissionsMutation();
  const fb = useFeedback();
  const canEdit = user.manageable.permissions;
  const dirty = perms.length !== access.managerPermissions.length || perms.some((p) => !access.managerPermissions.includes(p));

  async function submit() {
    const ordered = permissionOrder.filter((p) => perms.includes(p));
    await fb.handle(save({ userId: user.id, permissions: ordered }), (u) => notifySaved(`${u.name}’s Manager permissions saved.`));
  }

  return (
    <CardSection
      title="Manager permissions"
      hideHeading
      onSubmit={canEdit ? submit : undefined}
      saveLabel="Save permissions"
      saving={saving.isLoading}
      dirty={dirty}
      refusal={fb.refusal}
    >
      <Checkbox.Group
        label="Manager permissions"
        description="What this Manager may do besides their own calls. Managers add and manage Agents only."
        styles={headingLabel}
        value={perms}
        onChange={fb.editing((v: string[]) => setPerms(v as ManagerPermission[]))}
        error={fb.errors.permissions}
      >
        {!canEdit && <LockedNote>Only Administrators set a Manager’s permissions.</LockedNote>}
        <Stack gap={6} mt={!canEdit ? 6 : 0}>
          {permissionOrder.map((p) => (
            <Checkbox key={p} value={p} label={permissionLabel[p]} description={permissionHelp[p]} disabled={!canEdit} />
          ))}
        </Stack>
      </Checkbox.Group>
    </CardSection>
  );
}

export const roleColor: Record<Role, string> = { agent: 'gray', manager: 'teal', administrator: 'indigo' };
const article = (r: Role) => (r === 'agent' || r === 'administrator' ? 'an' : 'a');

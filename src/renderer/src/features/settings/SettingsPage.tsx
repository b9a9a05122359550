import { Badge, Box, Group, List, PasswordInput, ScrollArea, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconStarFilled } from '@tabler/icons-react';
import { useState } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { BusinessNumber } from '../../../../shared/api/entities';
import type { CallAccessLevel } from '../../../../shared/primitives';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { accessLabel, roleLabel } from '../../ui/format';
import { notifySaved } from '../../ui/notify';
import { useChangePasswordMutation } from '../session/api';
import { useGroupsQuery, useNumbersQuery } from '../directory/api';
import { permissionLabel, permissionOrder, roleHelpSelf } from '../team/access';
import { CardSection, LockedNote, useFeedback } from '../team/feedback';
import { detailsKey, UserDetails } from '../team/UserDetails';
import { LeaveTeam } from '../desk/LeaveTeam';

/** The user's own call access, in their words. */
const ownAccessText: Record<CallAccessLevel, string> = {
  personal: 'You see the calls, voicemails and messages you took part in, and nothing else.',
  group: 'You see your own calls, voicemails and messages, and everything that landed in a group you belong to.',
  callflow:
    'You see your own calls, voicemails and messages, and everything that went through a call flow you are part of.',
  numbers:
    'You see your own calls, voicemails and messages, and everything on the business numbers below, in any flow or group.',
  all: 'You see everything in the account.',
};

const setBy: Record<Me['user']['role'], string> = {
  agent: 'Set by an Administrator or a Manager; ask them if you need more.',
  manager: 'Set by an Administrator; ask them if you need more.',
  administrator: 'Administrators always have full access.',
};

function NumberList(props: {
  label: string;
  numbers: readonly BusinessNumber[];
  defaultId?: number | null;
  empty: string;
}) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {props.label}
      </Text>
      {props.numbers.length === 0 ? (
        <Text size="sm" c="dimmed">
          {props.empty}
        </Text>
      ) : (
        <List size="sm" spacing={4} listStyleType="none" aria-label={props.label}>
          {props.numbers.map((n) => (
            <List.Item key={n.id}>
              <Group gap={6} wrap="nowrap">
                <Text size="sm" className="tabular">
                  {n.formatted}
                </Text>
                {n.label && (
                  <Text size="xs" c="dimmed">
                    {n.label}
                  </Text>
                )}
                {props.defaultId === n.id && (
                  <Badge size="xs" variant="light" leftSection={<IconStarFilled size={8} />}>
                    Default caller ID
                  </Badge>
                )}
              </Group>
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

function MyAccess({ me }: { me: Me }) {
  const numbers = useNumbersQuery();
  const groups = useGroupsQuery();
  const a = me.user.access;
  const level = a?.callAccess ?? (me.user.role === 'administrator' ? 'all' : null);
  const byId = new Map((numbers.data ?? []).map((n) => [n.id, n]));
  const myGroups = (groups.data ?? []).filter((g) => me.user.groupIds.includes(g.id)).map((g) => g.name);
  const scope = (a?.scopeBnIds ?? []).map((id) => byId.get(id)).filter((n): n is BusinessNumber => n !== undefined);
  const permissions = permissionOrder.filter((p) => a?.managerPermissions.includes(p));

  return (
    <CardSection title="Your role and call access" description={setBy[me.user.role]}>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Role
          </Text>
          <Group gap={6}>
            <Badge>{roleLabel[me.user.role]}</Badge>
            {me.user.isOwner && (
              <Badge color="yellow" variant="light">
                Owner
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {roleHelpSelf[me.user.role]}
          </Text>
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Call access
          </Text>
          <Badge variant="outline" color="gray">
            {level ? accessLabel[level] : 'Unknown'}
          </Badge>
          <Text size="sm" c="dimmed">
            {level ? ownAccessText[level] : ''}
          </Text>
        </Stack>
      </SimpleGrid>
      {level === 'numbers' && (
        <NumberList label="Business numbers in your access" numbers={scope} empty="No business numbers yet." />
      )}
      <Text size="sm">
        <Text span fw={600}>
          Your groups:{' '}
        </Text>
        {myGroups.length > 0 ? myGroups.join(', ') : 'none'}
        {level === 'group' && myGroups.length === 0 ? ' — so you see only your own calls for now.' : ''}
      </Text>
      {me.user.role === 'manager' && (
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Your Manager permissions
          </Text>
          {permissions.length === 0 ? (
            <Text size="sm" c="dimmed">
              None beyond your own calls.
            </Text>
          ) : (
            <List size="sm" spacing={2} aria-label="Your Manager permissions">
              {permissions.map((p) => (
                <List.Item key={p}>{permissionLabel[p]}</List.Item>
              ))}
            </List>
          )}
        </Stack>
      )}
    </CardSection>
  );
}

function MyNumbers({ me }: { me: Me }) {
  const admin = me.user.role === 'administrator';
  return (
    <CardSection
      title="Your outbound numbers"
      description={
        admin
          ? 'As an Administrator you may call and text from every business number.'
          : 'The business numbers your dialer and composer offer. Only these can be used.'
      }
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <NumberList
          label="Call from"
          numbers={me.outboundCallNumbers}
          defaultId={me.defaultBnId}
          empty="None: you can take calls and call colleagues, but not call out."
        />
        <NumberList label="Send texts from" numbers={me.smsNumbers} empty="None: you cannot send text messages." />
      </SimpleGrid>
    </CardSection>
  );
}

function ChangePassword({ me }: { me: Me }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [change, saving] = useChangePasswordMutation();
  const fb = useFeedback();
  const locked = me.viewedBy !== null;

  async function submit() {
    if (next !== confirm) return setMismatch(true);
    setMismatch(false);
    const ok = await fb.handle(change({ current, next }), () => notifySaved('Your password was changed.'));
    if (ok) {
      setCurrent('');
      setNext('');
      setConfirm('');
    }
  }

  return (
    <CardSection
      title="Change password"
      description="You sign in with your email or extension and this password. A new one has at least 8 characters."
      onSubmit={locked ? undefined : submit}
      saveLabel="Change password"
      saving={saving.isLoading}
      dirty={current.length > 0 && next.length > 0 && confirm.length > 0}
      refusal={fb.refusal}
    >
      {locked && <LockedNote>Only {me.user.name} can change their password.</LockedNote>}
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <PasswordInput
          label="Current password"
          value={current}
          onChange={(e) => setCurrent(e.currentTarget.value)}
          error={fb.errors.current}
          autoComplete="current-password"
          disabled={locked}
        />
        <PasswordInput
          label="New password"
          value={next}
          onChange={(e) => setNext(e.currentTarget.value)}
          error={fb.errors.next}
          autoComplete="new-password"
          disabled={locked}
        />
        <PasswordInput
          label="Confirm new password"
          value={confirm}
          onChange={(e) => {
            setConfirm(e.currentTarget.value);
            setMismatch(false);
          }}
          error={mismatch ? 'The two new passwords differ' : undefined}
          autoComplete="new-password"
          disabled={locked}
        />
      </SimpleGrid>
    </CardSection>
  );
}

/** My settings: the signed-in user's profile, their access explained, their numbers, and their password. */
export const SettingsPage: PageComponent = ({ me }) => {
  const u = me.user;
  const writable = me.viewedBy === null && me.account.status === 'active';
  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader title="My settings" description={`${u.name} · Ext. ${u.extension} · ${u.email}`} />
      <ScrollArea style={{ flex: 1 }}>
        <Stack gap="md" px="lg" pb="xl" maw={900}>
          <UserDetails
            key={detailsKey(u)}
            user={u}
            title="Profile"
            saveLabel="Save profile"
            canEdit={writable}
            canEditIdentity={writable && u.manageable.settings}
            identityNote="Your email and extension are how you sign in and ring; an Administrator changes them."
            lockedReason={me.viewedBy ? 'This is a read-only view.' : 'This account is read-only.'}
          />
          <MyAccess me={me} />
          <MyNumbers me={me} />
          <ChangePassword me={me} />
          <LeaveTeam />
        </Stack>
      </ScrollArea>
    </Box>
  );
};

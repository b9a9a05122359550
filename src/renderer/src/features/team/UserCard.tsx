import { Alert, Avatar, Badge, Drawer, Group, Stack, Text, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { User } from '../../../../shared/api/entities';
import { QueryState } from '../../ui/QueryState';
import { roleLabel } from '../../ui/format';
import { useGroupsQuery, useNumbersQuery } from '../directory/api';
import { initials } from './access';
import { useUserQuery } from './api';
import { DuplicateUser } from './DuplicateUser';
import { roleColor, RolesAndAccess } from './RolesAndAccess';
import { UserActions } from './UserActions';
import { detailsKey, UserDetails } from './UserDetails';

/**
 * The user card (MightyCall's "user's card"): basic information, then
 * "Roles and Access". Opened from the Members list at #/team/<userId>.
 */
export function UserCard(props: { me: Me; userId: number; suggestedExtension: string; onClose: () => void }) {
  const q = useUserQuery(props.userId);
  const u = q.data;
  return (
    <Drawer
      opened
      onClose={props.onClose}
      position="right"
      size={640}
      title={u ? u.name : 'Team member'}
      closeButtonProps={{ 'aria-label': 'Close user card' }}
      styles={{ title: { fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' } }}
    >
      <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
        {u && <CardBody me={props.me} user={u} suggestedExtension={props.suggestedExtension} />}
      </QueryState>
    </Drawer>
  );
}

function CardBody(props: { me: Me; user: User; suggestedExtension: string }) {
  const { me, user: u } = props;
  const numbers = useNumbersQuery();
  const groups = useGroupsQuery();
  const [duplicating, setDuplicating] = useState(false);
  const groupNames = (groups.data ?? []).filter((g) => u.groupIds.includes(g.id)).map((g) => g.name);
  const isSelf = u.id === me.user.id;
  const nothingEditable = !u.manageable.settings && !u.manageable.access && !u.manageable.role;

  return (
    <Stack gap="md" pb="lg">
      <Group gap="sm" wrap="nowrap">
        <Avatar size={48} radius="xl" color={roleColor[u.role]}>
          {initials(u.name)}
        </Avatar>
        <Stack gap={2}>
          <Group gap={6}>
            <Badge color={roleColor[u.role]}>{roleLabel[u.role]}</Badge>
            {u.isOwner && (
              <Badge color="yellow" variant="light">
                Owner
              </Badge>
            )}
            {!u.active && (
              <Badge color="red" variant="light">
                Deactivated
              </Badge>
            )}
            {isSelf && (
              <Badge color="gray" variant="outline">
                You
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed" className="tabular">
            Ext. {u.extension} · {u.email}
            {u.title ? ` · ${u.title}` : ''}
          </Text>
          <Text size="xs" c="dimmed">
            {groupNames.length > 0 ? `Groups: ${groupNames.join(', ')}` : 'In no group'}
          </Text>
        </Stack>
      </Group>
      <UserActions me={me} user={u} onDuplicate={() => setDuplicating(true)} />

      {nothingEditable && u.manageable.reason && (
        <Alert color="gray" variant="light" icon={<IconInfoCircle size={16} />} py="xs">
          <Text size="sm">
            You can see {u.name} but not change them: {u.manageable.reason}
          </Text>
        </Alert>
      )}

      <UserDetails
        key={detailsKey(u)}
        user={u}
        canEdit={u.manageable.settings}
        canEditIdentity={u.manageable.settings}
        lockedReason={nothingEditable ? null : u.manageable.reason}
      />

      <Title order={3} fz="md" mt="xs">
        Roles and Access
      </Title>
      <QueryState loading={numbers.isLoading} error={numbers.error} onRetry={numbers.refetch}>
        <RolesAndAccess me={me} user={u} numbers={numbers.data ?? []} quiet={nothingEditable} />
      </QueryState>

      {duplicating && <DuplicateUser source={u} suggestedExtension={props.suggestedExtension} onClose={() => setDuplicating(false)} />}
    </Stack>
  );
}

import {
  ActionIcon,
  Anchor,
  Badge,
  Box,
  ColorSwatch,
  Group,
  Menu,
  ScrollArea,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { IconDots, IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { BusinessNumber, Group as UserGroup, User } from '../../../../shared/api/entities';
import type { Role } from '../../../../shared/primitives';
import { accessLabel, roleLabel } from '../../ui/format';
import { QueryState } from '../../ui/QueryState';
import { presenceLabel, useDirectoryQuery } from '../../softphone/directoryApi';
import { useUsersQuery } from '../directory/api';
import { roleOrder } from './access';
import { roleColor } from './RolesAndAccess';
import { canViewAs, useActivation, useViewAs } from './UserActions';

/** Badges in a table cell keep their full text rather than an ellipsis. */
const noShrink = { root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } } as const;

function AccessCell({ u, numbers }: { u: User; numbers: ReadonlyMap<number, BusinessNumber> }) {
  if (!u.access) {
    return (
      <Tooltip label="You may not see this member’s access" withArrow>
        <Text size="sm" c="dimmed" aria-label="Not visible to you">
          —
        </Text>
      </Tooltip>
    );
  }
  const a = u.access;
  if (a.callAccess !== 'numbers') return <Text size="sm">{accessLabel[a.callAccess]}</Text>;
  const names = a.scopeBnIds.map((id) => numbers.get(id)?.formatted ?? 'another number (not visible to you)');
  return (
    <Tooltip label={names.join(', ') || 'No numbers chosen'} withArrow multiline maw={280}>
      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
        {accessLabel.numbers}{' '}
        <Text span size="xs" c="dimmed">
          ({a.scopeBnIds.length})
        </Text>
      </Text>
    </Tooltip>
  );
}

/** The team as a searchable, filterable table. A name opens the user card. */
export function MembersTab(props: {
  me: Me;
  groups: readonly UserGroup[];
  numbers: readonly BusinessNumber[];
  onOpen: (u: User) => void;
  onDuplicate: (u: User) => void;
}) {
  const { me } = props;
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [role, setRole] = useState<Role | null>(null);
  const [groupId, setGroupId] = useState<string | null>(null);
  const [includeInactive, setIncludeInactive] = useState(false);
  const users = useUsersQuery({
    ...(query ? { search: query } : {}),
    ...(role ? { role } : {}),
    ...(groupId ? { groupId: Number(groupId) } : {}),
    includeInactive,
  });
  const activation = useActivation();
  const viewAs = useViewAs();
  const groupName = new Map(props.groups.map((g) => [g.id, g.name]));
  // Who can take a call now, and the availability each member set on their phone.
  const directory = useDirectoryQuery();
  const presence = new Map((directory.data?.members ?? []).map((m) => [m.userId, m.presence]));
  const numberById = new Map(props.numbers.map((n) => [n.id, n]));
  const list = users.data ?? [];
  const filtered = Boolean(query || role || groupId);

  useEffect(() => {
    const t = window.setTimeout(() => setQuery(search.trim()), 250);
    return () => window.clearTimeout(t);
  }, [search]);

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <Group gap="xs" px="lg" py="sm" role="search" aria-label="Filter team members">
        <TextInput
          size="xs"
          w={240}
          aria-label="Search team members"
          placeholder="Name, email or extension"
          leftSection={<IconSearch size={14} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        <Select
          size="xs"
          w={150}
          aria-label="Role"
          placeholder="Any role"
          clearable
          data={roleOrder.map((r) => ({ value: r, label: roleLabel[r] }))}
          value={role}
          onChange={(v) => setRole(v as Role | null)}
        />
        <Select
          size="xs"
          w={150}
          aria-label="Group"
          placeholder="Any group"
          clearable
          data={props.groups.map((g) => ({ value: String(g.id), label: g.name }))}
          value={groupId}
          onChange={setGroupId}
        />
        <Switch
          size="sm"
          label="Show deactivated"
          checked={includeInactive}
          onChange={(e) => setIncludeInactive(e.currentTarget.checked)}
        />
      </Group>
      <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <QueryState
          loading={users.isLoading}
          error={users.error}
          onRetry={users.refetch}
          empty={list.length === 0}
          emptyTitle={filtered ? 'No team members match' : 'No team members yet'}
          emptyText={
            filtered ? 'Try another name or clear a filter.' : 'Add the people who answer your business numbers.'
          }
        >
          <Table verticalSpacing="xs" horizontalSpacing="md" highlightOnHover aria-label="Team members">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Ext.</Table.Th>
                {/* On a laptop the email moves under the name, so that Status and the row menu stay on screen. */}
                <Table.Th visibleFrom="xl">Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Call access</Table.Th>
                <Table.Th>Groups</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th w={50}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((u) => {
                const groups = u.groupIds.map((id) => groupName.get(id)).filter(Boolean);
                const showMenu =
                  (me.capabilities['users.add'] && u.manageable.access) || canViewAs(me, u) || u.manageable.deactivate;
                return (
                  <Table.Tr
                    key={u.id}
                    style={{ cursor: 'pointer', opacity: u.active ? 1 : 0.6 }}
                    onClick={() => props.onOpen(u)}
                  >
                    <Table.Td>
                      <Stack gap={0}>
                        <Anchor
                          component="button"
                          type="button"
                          size="sm"
                          fw={600}
                          ta="left"
                          onClick={(e) => {
                            e.stopPropagation();
                            props.onOpen(u);
                          }}
                        >
                          {u.name}
                        </Anchor>
                        {u.title && (
                          <Text size="xs" c="dimmed">
                            {u.title}
                          </Text>
                        )}
                        <Text size="xs" c="dimmed" hiddenFrom="xl" truncate maw={220}>
                          {u.email}
                        </Text>
                      </Stack>
                    </Table.Td>
                    <Table.Td className="tabular">
                      <Text size="sm">{u.extension}</Text>
                    </Table.Td>
                    <Table.Td visibleFrom="xl">
                      <Text size="sm" truncate maw={220}>
                        {u.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Badge color={roleColor[u.role]} styles={noShrink}>
                          {roleLabel[u.role]}
                        </Badge>
                        {u.isOwner && (
                          <Badge color="yellow" variant="light" styles={noShrink}>
                            Owner
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <AccessCell u={u} numbers={numberById} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={groups.length ? undefined : 'dimmed'}>
                        {groups.length ? groups.join(', ') : '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <ColorSwatch
                          color={u.active ? 'var(--mantine-color-teal-6)' : 'var(--mantine-color-red-6)'}
                          size={8}
                          withShadow={false}
                          aria-hidden
                        />
                        <Text size="sm" c={u.active ? undefined : 'red'}>
                          {u.active ? 'Active' : 'Deactivated'}
                        </Text>
                      </Group>
                      {u.active && presence.has(u.id) && (
                        <Text size="xs" c="dimmed" data-presence={presence.get(u.id)}>
                          {presenceLabel[presence.get(u.id)!]}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td onClick={(e) => e.stopPropagation()}>
                      {showMenu && (
                        <Menu position="bottom-end">
                          <Menu.Target>
                            <ActionIcon variant="subtle" aria-label={`More for ${u.name}`}>
                              <IconDots size={16} />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item onClick={() => props.onOpen(u)}>Open user card</Menu.Item>
                            {me.capabilities['users.add'] && u.manageable.access && (
                              <Menu.Item onClick={() => props.onDuplicate(u)}>Duplicate user…</Menu.Item>
                            )}
                            {canViewAs(me, u) && <Menu.Item onClick={() => void viewAs(u)}>View as {u.name}</Menu.Item>}
                            {u.manageable.deactivate && (
                              <Menu.Item color={u.active ? 'red' : undefined} onClick={() => activation(u)}>
                                {u.active ? 'Deactivate…' : 'Reactivate…'}
                              </Menu.Item>
                            )}
                          </Menu.Dropdown>
                        </Menu>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </QueryState>
      </ScrollArea>
      {list.length > 0 && (
        <Text
          size="xs"
          c="dimmed"
          px="lg"
          py={4}
          style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
        >
          {list.length} member{list.length === 1 ? '' : 's'}
          {includeInactive ? ' (including deactivated)' : ''}
        </Text>
      )}
    </Box>
  );
}

import { noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import {
  ActionIcon,
  Badge,
  Box,
  Button,
  Group,
  Menu,
  Modal,
  MultiSelect,
  Paper,
  ScrollArea,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconDots, IconPlus } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { CallFlow, FlowStep, Group as UserGroup, User } from '../../../../shared/api/entities';
import { QueryState } from '../../ui/QueryState';
import { roleLabel } from '../../ui/format';
import { useCallFlowsQuery, useUsersQuery } from '../directory/api';
import {
  useCreateGroupMutation,
  useDeleteGroupMutation,
  useRenameGroupMutation,
  useSetGroupMembersMutation,
} from './api';
import { LockedNote, Refusal, useFeedback } from './feedback';

/** Group ids a flow's steps ring (or send to voicemail), at any depth. */
function groupsInSteps(steps: readonly FlowStep[], into: Set<number>): Set<number> {
  for (const s of steps) {
    if (s.groupId !== undefined) into.add(s.groupId);
    for (const b of s.branches ?? []) groupsInSteps(b.steps, into);
  }
  return into;
}

function flowsByGroup(flows: readonly CallFlow[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const f of flows) for (const g of groupsInSteps(f.steps, new Set())) out.set(g, [...(out.get(g) ?? []), f.name]);
  return out;
}

/** The member picker: active people, plus anyone already in the group. Managers may move Agents only. */
function MemberPicker(props: {
  me: Me;
  users: readonly User[];
  value: string[];
  onChange: (v: string[]) => void;
  error?: string | undefined;
}) {
  const managerOnly = props.me.user.role !== 'administrator';
  const data = props.users
    .filter((u) => u.active || props.value.includes(String(u.id)))
    .map((u) => ({
      value: String(u.id),
      label: `${u.name} (${u.extension})${u.active ? '' : ' · deactivated'}${u.role !== 'agent' ? ` · ${roleLabel[u.role]}` : ''}`,
      disabled: managerOnly && u.role !== 'agent',
    }));
  return (
    <MultiSelect
      label="Members"
      description={
        managerOnly ? 'Managers add or remove Agents only.' : 'Calls that ring this group ring every member.'
      }
      placeholder={props.value.length === 0 ? 'Choose people' : undefined}
      data={data}
      value={props.value}
      onChange={props.onChange}
      error={props.error}
      searchable
      clearable={!managerOnly}
      nothingFoundMessage="Nobody by that name"
      maxDropdownHeight={260}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

function CreateGroup(props: { me: Me; users: readonly User[]; onClose: () => void }) {
  const [name, setName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const [create, saving] = useCreateGroupMutation();
  const fb = useFeedback();
  async function submit(e: FormEvent) {
    e.preventDefault();
    await fb.handle(create({ name, memberIds: members.map(Number) }), (g) => {
      notifySaved(`The group ${g.name} was created.`);
      props.onClose();
    });
  }
  return (
    <Modal opened onClose={props.onClose} title="New group" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <TextInput
          label="Group name"
          placeholder="e.g. Sales"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fb.errors.name}
          required
          data-autofocus
        />
        <MemberPicker
          me={props.me}
          users={props.users}
          value={members}
          onChange={setMembers}
          error={fb.errors.memberIds}
        />
        <Refusal message={fb.refusal} title="Not created" />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading}>
            Create group
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RenameGroup(props: { group: UserGroup; onClose: () => void }) {
  const g = props.group;
  const [name, setName] = useState(g.name);
  const [rename, saving] = useRenameGroupMutation();
  const fb = useFeedback();
  async function submit(e: FormEvent) {
    e.preventDefault();
    await fb.handle(rename({ groupId: g.id, name }), (r) => {
      notifySaved(`${g.name} is now called ${r.name}.`);
      props.onClose();
    });
  }
  return (
    <Modal opened onClose={props.onClose} title={`Rename ${g.name}`} closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <TextInput
          label="Group name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fb.errors.name}
          required
          data-autofocus
        />
        <Refusal message={fb.refusal} />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading} disabled={name.trim() === g.name}>
            Save name
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function EditMembers(props: { me: Me; group: UserGroup; users: readonly User[]; onClose: () => void }) {
  const g = props.group;
  const [members, setMembers] = useState<string[]>(g.memberIds.map(String));
  const [save, saving] = useSetGroupMembersMutation();
  const fb = useFeedback();
  async function submit(e: FormEvent) {
    e.preventDefault();
    await fb.handle(save({ groupId: g.id, memberIds: members.map(Number) }), (r) => {
      notifySaved(`${r.name} now has ${r.memberIds.length} member${r.memberIds.length === 1 ? '' : 's'}.`);
      props.onClose();
    });
  }
  return (
    <Modal opened onClose={props.onClose} title={`Members of ${g.name}`} closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <MemberPicker
          me={props.me}
          users={props.users}
          value={members}
          onChange={setMembers}
          error={fb.errors.memberIds}
        />
        <Text size="xs" c="dimmed">
          People added see the calls that land in {g.name} if their call access is “Calling group”.
        </Text>
        <Refusal message={fb.refusal} />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading}>
            Save members
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The account's calling groups and who is in them. Changing them needs `groups.manage`. */
export function GroupsTab(props: {
  me: Me;
  groups: readonly UserGroup[];
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  onOpenUser: (id: number) => void;
}) {
  const { me } = props;
  const canManage = me.capabilities['groups.manage'];
  const users = useUsersQuery({ includeInactive: true });
  const flows = useCallFlowsQuery();
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<UserGroup | null>(null);
  const [editing, setEditing] = useState<UserGroup | null>(null);
  const [remove] = useDeleteGroupMutation();
  const byId = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u])), [users.data]);
  const usedBy = useMemo(() => flowsByGroup(flows.data ?? []), [flows.data]);
  const allUsers = users.data ?? [];

  const confirmDelete = (g: UserGroup) => {
    const flowNames = usedBy.get(g.id) ?? [];
    modals.openConfirmModal({
      title: `Delete the group ${g.name}?`,
      children: (
        <Stack gap="xs">
          <Text size="sm">
            Its {g.memberIds.length} member{g.memberIds.length === 1 ? '' : 's'} stay on the team; members with “Calling
            group” access stop seeing new calls for {g.name}. Past calls keep the group’s name.
          </Text>
          {flowNames.length > 0 && (
            <Text size="sm" c="orange">
              {g.name} is rung by {flowNames.join(', ')}: a group a call flow uses cannot be deleted until it is taken
              out of the flow.
            </Text>
          )}
        </Stack>
      ),
      labels: { confirm: 'Delete group', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: async () => {
        const r = await remove(g.id);
        if ('error' in r) notifyError(r.error, 'Not deleted');
        else notifySaved(`The group ${g.name} was deleted.`);
      },
    });
  };

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <Group px="lg" py="sm" justify="space-between">
        {canManage ? (
          <Text size="sm" c="dimmed">
            Calls routed to a group ring all its members.
          </Text>
        ) : (
          <LockedNote>
            You can see the groups; changing them needs the “Create, edit & delete user groups” permission.
          </LockedNote>
        )}
        {canManage && (
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setCreating(true)}>
            New group
          </Button>
        )}
      </Group>
      <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <QueryState
          loading={props.loading}
          error={props.error}
          onRetry={props.onRetry}
          empty={props.groups.length === 0}
          emptyTitle="No groups yet"
          emptyText="Create a group such as Sales or Support, then ring it from a call flow."
        >
          <Stack gap="sm" p="lg" role="list" aria-label="Groups">
            {props.groups.map((g) => {
              const members = g.memberIds.map((id) => byId.get(id)).filter((u): u is User => u !== undefined);
              const flowNames = usedBy.get(g.id) ?? [];
              return (
                <Paper key={g.id} withBorder p="md" radius="md" role="listitem" aria-label={g.name}>
                  <Group justify="space-between" align="flex-start" wrap="nowrap">
                    <Stack gap={6} style={{ minWidth: 0 }}>
                      <Group gap="xs">
                        <Text fw={650}>{g.name}</Text>
                        <Badge color="gray" variant="light">
                          {g.memberIds.length} member{g.memberIds.length === 1 ? '' : 's'}
                        </Badge>
                        <Text size="xs" c="dimmed">
                          {flowNames.length > 0
                            ? `Rung by ${flowNames.join(', ')}`
                            : 'No call flow rings this group yet'}
                        </Text>
                      </Group>
                      {members.length === 0 ? (
                        <Text size="sm" c="dimmed">
                          Nobody yet.
                        </Text>
                      ) : (
                        <Group gap={6}>
                          {members.map((u) => (
                            <Badge
                              key={u.id}
                              component="button"
                              type="button"
                              onClick={() => props.onOpenUser(u.id)}
                              variant="outline"
                              color={u.active ? 'indigo' : 'gray'}
                              tt="none"
                              style={{ cursor: 'pointer' }}
                              title={`Open ${u.name}’s user card`}
                            >
                              {u.name} · {u.extension}
                              {u.active ? '' : ' (deactivated)'}
                            </Badge>
                          ))}
                        </Group>
                      )}
                    </Stack>
                    {canManage && (
                      <Group gap={4} wrap="nowrap">
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setEditing(g)}
                          aria-label={`Edit members of ${g.name}`}
                        >
                          Edit members
                        </Button>
                        <Menu position="bottom-end">
                          <Menu.Target>
                            <ActionIcon variant="subtle" aria-label={`More for ${g.name}`}>
                              <IconDots size={16} />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item onClick={() => setRenaming(g)}>Rename…</Menu.Item>
                            <Menu.Item color="red" onClick={() => confirmDelete(g)}>
                              Delete…
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      </Group>
                    )}
                  </Group>
                </Paper>
              );
            })}
          </Stack>
        </QueryState>
      </ScrollArea>
      {creating && <CreateGroup me={me} users={allUsers} onClose={() => setCreating(false)} />}
      {renaming && <RenameGroup key={renaming.id} group={renaming} onClose={() => setRenaming(null)} />}
      {editing && (
        <EditMembers key={editing.id} me={me} group={editing} users={allUsers} onClose={() => setEditing(null)} />
      )}
    </Box>
  );
}

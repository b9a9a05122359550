import { Alert, Avatar, Badge, Box, Button, Drawer, Group, Stack, Text, Title } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconInfoCircle } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Input, Me } from '../../../../shared/api/contract';
import type { User } from '../../../../shared/api/entities';
import type { Role } from '../../../../shared/primitives';
import { QueryState } from '../../ui/QueryState';
import { roleLabel } from '../../ui/format';
import { noNativeValidation, notifySaved } from '../../ui/notify';
import { useGroupsQuery, useNumbersQuery } from '../directory/api';
import { initials, permissionOrder, sameIds } from './access';
import { useUpdateUserMutation, useUserQuery } from './api';
import { DuplicateUser } from './DuplicateUser';
import { CardSection, LockedNote, Refusal, useFeedback } from './feedback';
import {
  defaultOf,
  draftAfterRole,
  draftOf,
  roleColor,
  RolesAndAccess,
  type AccessDraft,
  type AccessPart,
} from './RolesAndAccess';
import { JoinSection } from './JoinSection';
import { UserActions } from './UserActions';
import { changedDetails, DetailsFields, fieldsOf, type Fields } from './UserDetails';

/**
 * The user card (MightyCall's "user's card"): basic information, then
 * "Roles and Access", one form with one "Save settings" that sends the whole
 * card in one request (users.update, one transaction). Opened from the
 * Members list at #/team/<userId>; closing it with unsaved changes asks first.
 */
export function UserCard(props: { me: Me; userId: number; suggestedExtension: string; onClose: () => void }) {
  const q = useUserQuery(props.userId);
  const u = q.data;
  const dirty = useRef(false);
  const onDirtyChange = useCallback((d: boolean) => {
    dirty.current = d;
  }, []);
  const { onClose } = props;

  const close = () => {
    if (!dirty.current) return onClose();
    modals.openConfirmModal({
      title: 'Close without saving?',
      children: (
        <Text size="sm">
          Your changes to {u?.name ?? 'this person'}’s settings are not saved yet. They will be lost.
        </Text>
      ),
      labels: { confirm: 'Discard changes', cancel: 'Keep editing' },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        dirty.current = false;
        onClose();
      },
    });
  };

  return (
    <Drawer
      opened
      onClose={close}
      position="right"
      size={640}
      title={u ? u.name : 'Team member'}
      closeButtonProps={{ 'aria-label': 'Close user card' }}
      styles={{ title: { fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' } }}
    >
      <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
        {u && (
          <CardBody
            key={u.id}
            me={props.me}
            user={u}
            suggestedExtension={props.suggestedExtension}
            onDirtyChange={onDirtyChange}
          />
        )}
      </QueryState>
    </Drawer>
  );
}

/** What "Save settings" sends: only the parts that differ from what is saved. */
function changesOf(
  u: User,
  details: Fields,
  draft: AccessDraft,
  touched: ReadonlySet<AccessPart>,
): Input<'users.update'> | null {
  const base = draftAfterRole(u, draft.role);
  const input: Input<'users.update'> = { userId: u.id, ...changedDetails(details, fieldsOf(u)) };
  if (draft.role !== u.role) input.role = draft.role;
  if (touched.has('access') && draft.role !== 'administrator') {
    const scope = draft.callAccess === 'numbers' ? draft.scope : [];
    if (draft.callAccess !== base.callAccess || !sameIds(scope, base.callAccess === 'numbers' ? base.scope : [])) {
      input.callAccess = draft.callAccess;
      input.scopeBnIds = scope;
    }
  }
  if (touched.has('outbound') && draft.role !== 'administrator') {
    const d = defaultOf(draft);
    if (!sameIds(draft.call, base.call) || !sameIds(draft.sms, base.sms) || d !== defaultOf(base)) {
      input.outboundCallBnIds = draft.call;
      input.smsBnIds = draft.sms;
      input.defaultBnId = d;
    }
  }
  const samePermissions =
    draft.permissions.length === base.permissions.length &&
    draft.permissions.every((p) => base.permissions.includes(p));
  if (touched.has('permissions') && draft.role === 'manager' && u.role === 'manager' && !samePermissions) {
    input.permissions = permissionOrder.filter((p) => draft.permissions.includes(p));
  }
  return Object.keys(input).length > 1 ? input : null;
}

function CardBody(props: { me: Me; user: User; suggestedExtension: string; onDirtyChange: (dirty: boolean) => void }) {
  const { me, user: u, onDirtyChange } = props;
  const numbers = useNumbersQuery();
  const groups = useGroupsQuery();
  const [duplicating, setDuplicating] = useState(false);
  const [details, setDetails] = useState<Fields>(() => fieldsOf(u));
  const [draft, setDraft] = useState<AccessDraft>(() => draftOf(u));
  const [touched, setTouched] = useState<ReadonlySet<AccessPart>>(new Set());
  const [save, saving] = useUpdateUserMutation();
  const fb = useFeedback();

  const groupNames = (groups.data ?? []).filter((g) => u.groupIds.includes(g.id)).map((g) => g.name);
  const isSelf = u.id === me.user.id;
  const nothingEditable =
    !u.manageable.settings && !u.manageable.access && !u.manageable.role && !u.manageable.permissions;
  const changes = useMemo(() => changesOf(u, details, draft, touched), [u, details, draft, touched]);
  const dirty = changes !== null;

  useEffect(() => {
    onDirtyChange(dirty);
  }, [dirty, onDirtyChange]);

  // Saved elsewhere (another window, a push event): take the new version unless there is unsaved work here.
  const savedKey = JSON.stringify(u);
  const [shown, setShown] = useState(savedKey);
  if (shown !== savedKey && !dirty) {
    setShown(savedKey);
    setDetails(fieldsOf(u));
    setDraft(draftOf(u));
    setTouched(new Set());
  }

  const reset = (saved: User) => {
    setShown(JSON.stringify(saved));
    setDetails(fieldsOf(saved));
    setDraft(draftOf(saved));
    setTouched(new Set());
  };

  const onRole = (role: Role) => {
    fb.clear();
    setDraft(draftAfterRole(u, role));
    setTouched(new Set());
  };
  const onEdit = (part: AccessPart, patch: Partial<AccessDraft>) => {
    fb.clear();
    setDraft((d) => ({ ...d, ...patch }));
    setTouched((t) => new Set([...t, part]));
  };

  async function submit(e: FormEvent) {
    // A dialog opened from the card (Duplicate) is portalled, but its submit still bubbles here through React.
    if (e.target !== e.currentTarget) return;
    e.preventDefault();
    if (!changes) return;
    await fb.handle(save(changes), (saved) => {
      reset(saved);
      onDirtyChange(false);
      notifySaved(`${saved.name}’s settings saved.`);
    });
  }

  return (
    <Stack gap="md" component="form" onSubmit={submit} {...noNativeValidation} aria-label={`${u.name}’s settings`}>
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

      <CardSection title="Basic information">
        {!u.manageable.settings && !nothingEditable && u.manageable.reason && (
          <LockedNote>{u.manageable.reason}</LockedNote>
        )}
        <DetailsFields
          value={details}
          onChange={(next) => {
            fb.clear();
            setDetails(next);
          }}
          errors={fb.errors}
          canEdit={u.manageable.settings}
          canEditIdentity={u.manageable.settings}
        />
      </CardSection>

      <Title order={3} fz="md" mt="xs">
        Roles and Access
      </Title>
      <QueryState loading={numbers.isLoading} error={numbers.error} onRetry={numbers.refetch}>
        <RolesAndAccess
          me={me}
          user={u}
          numbers={numbers.data ?? []}
          quiet={nothingEditable}
          draft={draft}
          onRole={onRole}
          onEdit={onEdit}
          errors={fb.errors}
        />
      </QueryState>

      {/* Keyed by user: a link shown for one person is never left on another's card. */}
      <JoinSection key={u.id} user={u} />

      {!nothingEditable && (
        <Box
          pos="sticky"
          bottom={0}
          py="sm"
          bg="var(--mantine-color-body)"
          style={{ borderTop: '1px solid var(--mantine-color-default-border)', zIndex: 1 }}
        >
          <Stack gap="xs">
            <Refusal message={fb.refusal} />
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm" c="dimmed" aria-live="polite">
                {dirty ? 'You have unsaved changes.' : 'Everything is saved.'}
              </Text>
              <Group gap="xs" wrap="nowrap">
                {dirty && (
                  <Button variant="default" onClick={() => (fb.clear(), reset(u))}>
                    Discard changes
                  </Button>
                )}
                <Button type="submit" loading={saving.isLoading} disabled={!dirty}>
                  Save settings
                </Button>
              </Group>
            </Group>
          </Stack>
        </Box>
      )}

      {duplicating && (
        <DuplicateUser source={u} suggestedExtension={props.suggestedExtension} onClose={() => setDuplicating(false)} />
      )}
    </Stack>
  );
}

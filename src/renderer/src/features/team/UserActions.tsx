import { Button, Group, Text, Tooltip } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconCopy, IconEye, IconUserCheck, IconUserOff } from '@tabler/icons-react';
import type { Me } from '../../../../shared/api/contract';
import type { User } from '../../../../shared/api/entities';
import { api } from '../../app/api';
import { navigate } from '../../app/router';
import { useAppDispatch } from '../../app/store';
import { notifyError, notifySaved } from '../../ui/notify';
import { useViewAsMutation } from '../session/inboxApi';
import { deactivateRefusal } from './access';
import { useDeactivateUserMutation, useReactivateUserMutation } from './api';

/** Asks before deactivating or reactivating, saying what it changes. */
export function useActivation() {
  const [deactivate] = useDeactivateUserMutation();
  const [reactivate] = useReactivateUserMutation();

  return (u: User) =>
    modals.openConfirmModal({
      title: u.active ? `Deactivate ${u.name}?` : `Reactivate ${u.name}?`,
      children: (
        <Text size="sm">
          {u.active
            ? `${u.name} is signed out at once, cannot sign in and no longer rings. Their calls, voicemails and messages stay in the history.`
            : `${u.name} can sign in again with their current password and rings as before, with the access they had.`}
        </Text>
      ),
      labels: { confirm: u.active ? 'Deactivate' : 'Reactivate', cancel: 'Cancel' },
      confirmProps: { color: u.active ? 'red' : undefined },
      onConfirm: async () => {
        const r = u.active ? await deactivate(u.id) : await reactivate(u.id);
        if ('error' in r) notifyError(r.error, u.active ? 'Not deactivated' : 'Not reactivated');
        else notifySaved(u.active ? `${u.name} was deactivated.` : `${u.name} was reactivated.`);
      },
    });
}

/** "View as": an Administrator sees the console exactly as this user does, read-only. */
export function useViewAs() {
  const [viewAs] = useViewAsMutation();
  const dispatch = useAppDispatch();
  return async (u: User) => {
    const r = await viewAs({ userId: u.id });
    if ('error' in r) return notifyError(r.error, 'Cannot view as this user');
    dispatch(api.util.resetApiState());
    navigate('calls');
  };
}

export const canViewAs = (me: Me, u: User) =>
  me.user.role === 'administrator' && !me.viewedBy && u.active && u.id !== me.user.id;

/** The user card's actions: duplicate, view as, deactivate or reactivate. */
export function UserActions(props: { me: Me; user: User; onDuplicate: () => void }) {
  const { me, user: u } = props;
  const activation = useActivation();
  const viewAs = useViewAs();
  const deactivateWhy = deactivateRefusal(me, u);
  // Administrators may deactivate anyone but themselves and the owner: say why for those two.
  const explainDeactivate = me.user.role === 'administrator' && deactivateWhy !== null;

  return (
    <Group gap="xs">
      {me.capabilities['users.add'] && u.manageable.access && (
        <Button size="xs" variant="default" leftSection={<IconCopy size={14} />} onClick={props.onDuplicate}>
          Duplicate user
        </Button>
      )}
      {canViewAs(me, u) && (
        <Tooltip label="See the console exactly as they do, read-only" withArrow>
          <Button size="xs" variant="default" leftSection={<IconEye size={14} />} onClick={() => void viewAs(u)}>
            View as {u.name.split(' ')[0]}
          </Button>
        </Tooltip>
      )}
      {u.manageable.deactivate ? (
        <Button
          size="xs"
          variant={u.active ? 'light' : 'filled'}
          color={u.active ? 'red' : undefined}
          leftSection={u.active ? <IconUserOff size={14} /> : <IconUserCheck size={14} />}
          onClick={() => activation(u)}
        >
          {u.active ? 'Deactivate' : 'Reactivate'}
        </Button>
      ) : (
        explainDeactivate && (
          <Tooltip label={deactivateWhy} withArrow multiline w={260} events={{ hover: true, focus: true, touch: true }}>
            <Button
              size="xs"
              variant="light"
              color="gray"
              data-disabled
              aria-disabled
              aria-description={deactivateWhy}
              onClick={(e) => e.preventDefault()}
              leftSection={<IconUserOff size={14} />}
            >
              {u.active ? 'Deactivate' : 'Reactivate'}
            </Button>
          </Tooltip>
        )
      )}
    </Group>
  );
}

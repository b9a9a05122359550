import { noNativeValidation, notifySaved } from '../../ui/notify';
import { Button, Group, Modal, SimpleGrid, Stack, Text } from '@mantine/core';
import type { FormEvent } from 'react';
import type { User } from '../../../../shared/api/entities';
import { navigate } from '../../app/router';
import { accessLabel, roleLabel } from '../../ui/format';
import { useDuplicateUserMutation } from './api';
import { Refusal, useFeedback } from './feedback';
import { IdentityFields, NewPasswordField, useIdentity } from './IdentityFields';

/** A new team member with another's role, call access, numbers, groups, title and time zone. */
export function DuplicateUser(props: { source: User; suggestedExtension: string; onClose: () => void }) {
  const s = props.source;
  const { identity, set } = useIdentity(props.suggestedExtension);
  const [duplicate, saving] = useDuplicateUserMutation();
  const fb = useFeedback();

  async function submit(e: FormEvent) {
    e.preventDefault();
    await fb.handle(
      duplicate({
        sourceUserId: s.id,
        name: identity.name,
        email: identity.email.trim(),
        extension: identity.extension.trim(),
        password: identity.password,
      }),
      (u) => {
        notifySaved(`${u.name} was added as a copy of ${s.name}.`);
        props.onClose();
        navigate('team', u.id);
      },
    );
  }

  const copied = [
    `role (${roleLabel[s.role]})`,
    s.access ? `${accessLabel[s.access.callAccess]} call access` : null,
    'outbound and SMS numbers',
    s.role === 'manager' ? 'Manager permissions' : null,
    s.groupIds.length > 0 ? `${s.groupIds.length} group${s.groupIds.length > 1 ? 's' : ''}` : null,
    'title and time zone',
  ].filter(Boolean);

  return (
    <Modal
      opened
      onClose={props.onClose}
      title={`Duplicate ${s.name}`}
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <Text size="sm" c="dimmed">
          The new user gets {s.name}’s {copied.join(', ')}. Give them their own name, email, extension and password.
        </Text>
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="xs">
          <IdentityFields identity={identity} set={set} errors={fb.errors} />
          <NewPasswordField value={identity.password} onChange={set('password')} error={fb.errors.password} />
        </SimpleGrid>
        <Refusal message={fb.refusal} title="Not added" />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading}>
            Create copy
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

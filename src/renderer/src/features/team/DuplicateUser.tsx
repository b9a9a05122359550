import { noNativeValidation, notifySaved } from '../../ui/notify';
import { Button, Group, Modal, PasswordInput, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { User } from '../../../../shared/api/entities';
import { navigate } from '../../app/router';
import { accessLabel, roleLabel } from '../../ui/format';
import { useDuplicateUserMutation } from './api';
import { Refusal, useFeedback } from './feedback';

/** A new team member with another's role, call access, numbers, groups, title and time zone. */
export function DuplicateUser(props: { source: User; suggestedExtension: string; onClose: () => void }) {
  const s = props.source;
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [extension, setExtension] = useState(props.suggestedExtension);
  const [password, setPassword] = useState('');
  const [duplicate, saving] = useDuplicateUserMutation();
  const fb = useFeedback();

  async function submit(e: FormEvent) {
    e.preventDefault();
    await fb.handle(
      duplicate({ sourceUserId: s.id, name, email: email.trim(), extension: extension.trim(), password }),
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
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fb.errors.name}
            required
            data-autofocus
          />
          <TextInput
            label="Email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fb.errors.email}
            required
          />
          <TextInput
            label="Extension"
            value={extension}
            onChange={(e) => setExtension(e.currentTarget.value)}
            error={fb.errors.extension}
            inputMode="numeric"
            required
          />
          <PasswordInput
            label="Password"
            description="At least 8 characters; they can change it in My settings."
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={fb.errors.password}
            autoComplete="new-password"
            required
          />
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

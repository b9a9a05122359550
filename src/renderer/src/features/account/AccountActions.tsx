import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { Alert, Button, Group, List, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { Account, User } from '../../../../shared/api/entities';
import { useCancelAccountMutation, useTransferOwnershipMutation } from './api';

const messageOf = (e: unknown) => (e as { message?: string } | undefined)?.message ?? 'Something went wrong.';

/** The owner hands the account to another active Administrator. */
export function TransferOwnership(props: { account: Account; candidates: readonly User[] }) {
  const [userId, setUserId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [transfer, transferring] = useTransferOwnershipMutation();
  const target = props.candidates.find((u) => String(u.id) === userId) ?? null;

  async function confirm() {
    if (!target) return;
    const r = await transfer(target.id);
    setConfirming(false);
    if ('error' in r) {
      setRefusal(messageOf(r.error));
      return notifyError(r.error, 'Ownership not transferred');
    }
    notifySaved(`${r.data.ownerName} now owns the account.`);
    setUserId(null);
  }

  if (props.candidates.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Ownership can only go to another active Administrator, and there is none yet. Make someone an Administrator on
        the Team page first.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Group align="flex-end" gap="xs">
        <Select
          label="New owner"
          description="Only active Administrators can own the account."
          placeholder="Choose an Administrator"
          data={props.candidates.map((u) => ({ value: String(u.id), label: `${u.name} (${u.extension})` }))}
          value={userId}
          onChange={(v) => (setUserId(v), setRefusal(null))}
          w={320}
        />
        <Button variant="default" disabled={!target} onClick={() => setConfirming(true)}>
          Transfer ownership…
        </Button>
      </Group>
      {refusal && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert" py={8}>
          {refusal}
        </Alert>
      )}
      <Modal
        opened={confirming && target !== null}
        onClose={() => setConfirming(false)}
        title={`Make ${target?.name} the owner?`}
      >
        <Stack gap="sm">
          <List size="sm" spacing={4}>
            <List.Item>
              {target?.name} becomes the owner: only they can transfer ownership from then on, and nobody can demote or
              deactivate them.
            </List.Item>
            <List.Item>
              You stay an Administrator, but you are no longer protected as the owner: another Administrator could
              change your role.
            </List.Item>
          </List>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button onClick={confirm} loading={transferring.isLoading}>
              Transfer to {target?.name}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** Cancels the account once the Administrator types its name. */
export function CancelAccount(props: { account: Account }) {
  const { account } = props;
  const [opened, setOpened] = useState(false);
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [cancel, cancelling] = useCancelAccountMutation();
  const matches = typed.trim() === account.name;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!matches) return setErrors({ confirmName: `Type ${account.name} exactly as shown.` });
    const r = await cancel(typed.trim());
    if ('error' in r) {
      setErrors(fieldErrors(r.error));
      setRefusal(messageOf(r.error));
      return notifyError(r.error, 'Account not cancelled');
    }
    notifySaved(`${account.name} is cancelled. It is read-only from now on.`);
    setOpened(false);
  }

  const close = () => (setOpened(false), setTyped(''), setErrors({}), setRefusal(null));
  return (
    <>
      <Button color="red" variant="outline" w="fit-content" onClick={() => setOpened(true)}>
        Cancel the account…
      </Button>
      <Modal opened={opened} onClose={close} title={`Cancel ${account.name}?`}>
        <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
          <Text size="sm">The account becomes read-only for everyone, straight away:</Text>
          <List size="sm" spacing={4}>
            <List.Item>Everyone can still sign in and look at calls, voicemail, messages and the audit log.</List.Item>
            <List.Item>
              Nobody can place calls, send messages or change anything: people, numbers, call flows, billing or
              settings.
            </List.Item>
            <List.Item>The app cannot reopen the account afterwards.</List.Item>
          </List>
          <TextInput
            label="Type the account name to confirm"
            description={`Type ${account.name}`}
            value={typed}
            onChange={(e) => (setTyped(e.currentTarget.value), setErrors({}), setRefusal(null))}
            error={errors.confirmName}
            autoComplete="off"
            data-autofocus
          />
          {refusal && !errors.confirmName && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert" py={8}>
              {refusal}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep the account
            </Button>
            <Button type="submit" color="red" disabled={!matches} loading={cancelling.isLoading}>
              Cancel the account
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

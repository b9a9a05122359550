import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { Alert, Button, Group, List, Loader, Modal, Radio, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { BusinessNumber } from '../../../../shared/api/entities';
import { useReleaseNumberMutation, useSetNumberLabelMutation, useSetNumberTrunkMutation } from './api';
import { useCarrierQuery } from './carrierApi';

const messageOf = (e: unknown) => (e as { message?: string } | undefined)?.message ?? 'Something went wrong.';

/** Renames a business number. */
export function LabelDialog(props: { number: BusinessNumber; onClose: () => void }) {
  const n = props.number;
  const [label, setLabel] = useState(n.label);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, saving] = useSetNumberLabelMutation();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await save({ bnId: n.id, label: label.trim() });
    if ('error' in r) {
      setErrors(fieldErrors(r.error));
      return notifyError(r.error);
    }
    notifySaved(`${n.formatted} is now labelled “${r.data.label || 'no label'}”.`);
    props.onClose();
  }

  return (
    <Modal opened onClose={props.onClose} title={`Label for ${n.formatted}`}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <TextInput
          label="Label"
          description="Shown wherever the team picks or sees this number."
          placeholder="e.g. Sales line"
          value={label}
          maxLength={80}
          onChange={(e) => setLabel(e.currentTarget.value)}
          error={errors.label}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading} disabled={label.trim() === n.label}>
            Save label
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const roleWord = { preferred: 'preferred', fallback: 'fallback', standby: 'standby' } as const;

/** Moves a business number to another of the account's trunks (Administrators). */
export function TrunkDialog(props: { number: BusinessNumber; onClose: () => void }) {
  const n = props.number;
  const carrier = useCarrierQuery();
  const trunks = carrier.data?.trunks ?? [];
  const [picked, setPicked] = useState<string | null>(n.trunkId === null ? null : String(n.trunkId));
  const [refusal, setRefusal] = useState<string | null>(null);
  const [save, saving] = useSetNumberTrunkMutation();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (picked === null) return;
    const r = await save({ bnId: n.id, trunkId: Number(picked) });
    if ('error' in r) {
      setRefusal(messageOf(r.error));
      return notifyError(r.error, 'Not moved');
    }
    notifySaved(`${n.formatted} is now on the trunk ${r.data.trunkName ?? ''}.`);
    props.onClose();
  }

  return (
    <Modal opened onClose={props.onClose} title={`Trunk for ${n.formatted}`}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        {carrier.isLoading ? (
          <Loader size="sm" aria-label="Loading the trunks" />
        ) : trunks.length === 0 ? (
          <Text size="sm">The account has no trunks yet: add one under Carrier first.</Text>
        ) : (
          <Radio.Group
            label="Trunk"
            description="The carrier trunk this number comes in on. Tell your carrier to route it there too."
            value={picked}
            onChange={(v) => (setPicked(v), setRefusal(null))}
          >
            <Stack gap={6} mt={6}>
              {trunks.map((t) => (
                <Radio key={t.id} value={String(t.id)} label={`${t.name} (${t.host}, ${roleWord[t.role]})`} />
              ))}
            </Stack>
          </Radio.Group>
        )}
        {(refusal ?? carrier.error) && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert" py={8}>
            {refusal ?? messageOf(carrier.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading} disabled={picked === null || picked === String(n.trunkId)}>
            Move number
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The number as typed matches when its digits do, with or without the country code. */
function matches(typed: string, e164: string): boolean {
  const digits = typed.replace(/\D/g, '');
  const full = e164.replace(/\D/g, '');
  return digits.length >= 7 && (digits === full || (full.startsWith('1') && digits === full.slice(1)));
}

/** Releases a business number after the user types it, explaining what stops working. */
export function ReleaseDialog(props: { number: BusinessNumber; demo: boolean; onClose: () => void }) {
  const n = props.number;
  const [typed, setTyped] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [release, releasing] = useReleaseNumberMutation();
  const ok = matches(typed, n.e164);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!ok) return;
    const r = await release(n.id);
    if ('error' in r) {
      setRefusal(messageOf(r.error));
      return notifyError(r.error, 'Not released');
    }
    notifySaved(`${n.formatted} was released.`);
    props.onClose();
  }

  return (
    <Modal opened onClose={props.onClose} title={`Release ${n.formatted}?`}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <Text size="sm">Releasing {n.label ? `“${n.label}”` : 'this number'} gives it up for good:</Text>
        <List size="sm" spacing={4}>
          <List.Item>Calls and texts to it no longer reach your team.</List.Item>
          {n.callFlowName && <List.Item>It is taken off the call flow {n.callFlowName}.</List.Item>}
          <List.Item>It leaves everyone’s outbound numbers and call access.</List.Item>
          <List.Item>
            {props.demo
              ? 'Past calls and messages keep it. The number goes back to the demo catalogue.'
              : 'Past calls and messages keep it. Calls the carrier still sends to it are refused; ask your carrier to stop routing it (or to cancel it) so it is no longer billed.'}
          </List.Item>
        </List>
        <TextInput
          label="Type the number to confirm"
          description={`Type ${n.formatted} (the digits are enough).`}
          value={typed}
          onChange={(e) => (setTyped(e.currentTarget.value), setRefusal(null))}
          autoComplete="off"
          data-autofocus
        />
        {refusal && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert" py={8}>
            {refusal}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" color="red" disabled={!ok} loading={releasing.isLoading}>
            Release number
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

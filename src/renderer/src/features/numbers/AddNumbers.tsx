import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent } from 'react';
import type { BusinessNumber } from '../../../../shared/api/entities';
import { formatE164, normalizeDialString } from '../../../../shared/phone';
import { href } from '../../app/router';
import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { useAddNumbersMutation, useCarrierQuery } from './carrierApi';
import { roleText } from './TrunkForm';

type Line = { text: string; e164: string | null; status: 'new' | 'invalid' | 'repeated' | 'owned' };

/** One number a line (or separated by commas or semicolons), in any common writing: +1 213 555 0100, (213) 555-0100, 0044…. */
export function readNumbers(text: string, owned: ReadonlySet<string>): Line[] {
  const seen = new Set<string>();
  return text
    .split(/[\n,;\t]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const e164 = normalizeDialString(t);
      if (!e164) return { text: t, e164: null, status: 'invalid' };
      if (owned.has(e164)) return { text: t, e164, status: 'owned' };
      if (seen.has(e164)) return { text: t, e164, status: 'repeated' };
      seen.add(e164);
      return { text: t, e164, status: 'new' };
    });
}

const statusBadge: Record<Line['status'], { label: string; color: string }> = {
  new: { label: 'To add', color: 'teal' },
  invalid: { label: 'Not a phone number', color: 'red' },
  repeated: { label: 'Repeated: added once', color: 'gray' },
  owned: { label: 'Already yours', color: 'gray' },
};

/**
 * Adds the numbers (DIDs) the carrier gave the account: pasted one a line,
 * read into E.164, repeats and numbers the account has already left out, each
 * put on a trunk. An Administrator picks the trunk; a Manager's go on the
 * preferred one.
 */
export function AddNumbers(props: { numbers: readonly BusinessNumber[]; seesTrunks: boolean; onClose: () => void }) {
  const carrier = useCarrierQuery(undefined, { skip: !props.seesTrunks });
  const trunks = carrier.data?.trunks ?? [];
  const [text, setText] = useState('');
  const [trunkId, setTrunkId] = useState<string | null>(null);
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [add, adding] = useAddNumbersMutation();
  const owned = useMemo(() => new Set(props.numbers.map((n) => n.e164)), [props.numbers]);
  const lines = readNumbers(text, owned);
  const fresh = lines.filter((l) => l.status === 'new');
  const unreadable = lines.filter((l) => l.status === 'invalid');
  const chosenTrunk = trunkId ?? (trunks[0] ? String(trunks[0].id) : null);
  const noTrunk = props.seesTrunks && carrier.isSuccess && trunks.length === 0;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (fresh.length === 0 || unreadable.length > 0) return;
    const sent = fresh.map((l) => l.e164!);
    const r = await add({
      numbers: sent,
      label: label.trim(),
      ...(props.seesTrunks && chosenTrunk ? { trunkId: Number(chosenTrunk) } : {}),
    });
    if ('error' in r) {
      const f = fieldErrors(r.error);
      // `numbers.3` names the fourth number sent: say which one.
      const named = Object.fromEntries(
        Object.entries(f).map(([k, v]) => {
          const m = /^numbers\.(\d+)$/.exec(k);
          return m ? ['numbers', `${formatE164(sent[Number(m[1])] ?? '')}: ${v}`] : [k, v];
        }),
      );
      setErrors(named);
      return notifyError(r.error, 'Numbers not added');
    }
    const { added, skipped } = r.data;
    notifySaved(
      `${added.length} number${added.length === 1 ? '' : 's'} added${skipped.length ? ` (${skipped.length} skipped)` : ''}. Route each to a call flow so it takes calls.`,
    );
    props.onClose();
  }

  return (
    <Modal opened onClose={props.onClose} title="Add numbers from your carrier" size="lg">
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <Text size="sm">
          Your carrier routes phone numbers (DIDs) to your trunk. Paste the ones it gave you; calls to them reach the
          team once each is routed to a call flow.
        </Text>
        {noTrunk ? (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={16} />}>
            Connect your carrier first: <Anchor href={href('carrier')}>add its trunk under Carrier</Anchor>.
          </Alert>
        ) : null}
        <Textarea
          label="Numbers"
          description="One a line, or separated by commas. International format (+44 20 7946 0000); 10-digit numbers are read as US/Canada."
          placeholder={'+1 213 555 0100\n+1 213 555 0101'}
          autosize
          minRows={4}
          maxRows={10}
          value={text}
          onChange={(e) => (setText(e.currentTarget.value), setErrors({}))}
          error={errors.numbers}
          data-autofocus
        />
        {lines.length > 0 && (
          <Table aria-label="Numbers read from the list" verticalSpacing={4} withRowBorders={false}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>As written</Table.Th>
                <Table.Th>Number</Table.Th>
                <Table.Th>Will be</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.slice(0, 100).map((l, i) => (
                <Table.Tr key={`${i}-${l.text}`}>
                  <Table.Td>
                    <Text size="sm">{l.text}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" className="tabular">
                      {l.e164 ? formatE164(l.e164) : '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={statusBadge[l.status].color} radius="sm">
                      {statusBadge[l.status].label}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {unreadable.length > 0 && (
          <Text size="sm" c="red" role="alert">
            {unreadable.length === 1 ? 'One line is' : `${unreadable.length} lines are`} not a phone number: correct or
            remove {unreadable.length === 1 ? 'it' : 'them'}.
          </Text>
        )}
        {props.seesTrunks ? (
          <Select
            label="Trunk"
            description="The carrier connection these numbers come in on."
            data={trunks.map((t) => ({ value: String(t.id), label: `${t.name} (${roleText[t.role].toLowerCase()})` }))}
            value={chosenTrunk}
            onChange={setTrunkId}
            allowDeselect={false}
            disabled={trunks.length === 0}
            error={errors.trunkId}
          />
        ) : (
          <Text size="sm" c="dimmed">
            They go on the preferred trunk of your carrier.
          </Text>
        )}
        <TextInput
          label="Label"
          description="Optional; every added number starts with it, e.g. “Sales line”."
          value={label}
          maxLength={80}
          onChange={(e) => setLabel(e.currentTarget.value)}
          error={errors.label}
        />
        {errors.trunkId === undefined && errors['(input)'] && (
          <Text size="sm" c="red" role="alert">
            {errors['(input)']}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            type="submit"
            loading={adding.isLoading}
            disabled={fresh.length === 0 || unreadable.length > 0 || noTrunk}
          >
            {fresh.length > 1 ? `Add ${fresh.length} numbers` : 'Add number'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

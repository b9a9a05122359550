import { Alert, Badge, Box, Button, CloseButton, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPhone } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Me } from '../../../shared/api/contract';
import { call } from '../app/api';
import { useAppDispatch, useAppSelector } from '../app/store';
import { notifyError } from '../ui/notify';
import { AudioSettings } from './AudioSettings';
import { AvailabilityPicker } from './Availability';
import { isLive } from './callMachine';
import { dialTarget } from './dialTarget';
import { Keypad } from './Keypad';
import { LineCard } from './LineCard';
import { useSoftphone } from './runtime';
import { sp } from './slice';

export const registrationText = {
  registered: 'Ready',
  connecting: 'Connecting…',
  offline: 'Offline',
  failed: 'Not connected',
} as const;
export const registrationColor = { registered: 'teal', connecting: 'yellow', offline: 'gray', failed: 'red' } as const;

/**
 * The dialer: status of the phone line, the caller-ID picker (only the
 * user's outbound call numbers), the number field and keypad, and the lines.
 */
export function PhonePanel(props: { me: Me; onClose: () => void; focusRequest: number }) {
  const phone = useSoftphone();
  const dispatch = useAppDispatch();
  const { registration, lines, focusedLineId, dialString, microphone } = useAppSelector((s) => s.softphone);
  const numbers = props.me.outboundCallNumbers;
  const [chosen, setChosen] = useState<number | null>(null);
  const [suggested, setSuggested] = useState<number | null>(props.me.defaultBnId);
  const [error, setError] = useState<string | null>(null);
  const target = dialTarget(dialString);
  const external = target?.startsWith('+') ?? false;

  // A number the user may no longer use disappears from the picker at once.
  const valid = (id: number | null) => (id !== null && numbers.some((n) => n.id === id) ? id : null);
  const callerId = valid(chosen) ?? valid(suggested) ?? numbers[0]?.id ?? null;

  useEffect(() => {
    if (!target || !external) return;
    const t = window.setTimeout(() => {
      call('calls.suggestCallerId', { to: target }).then(
        (r) => setSuggested(r.bnId),
        () => undefined,
      );
    }, 300);
    return () => window.clearTimeout(t);
  }, [target, external]);

  const numberField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    numberField.current?.focus();
  }, [props.focusRequest]);

  /** Esc closes the phone, unless a menu or popover inside it is open (Esc closes that first). */
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    const t = e.target as HTMLElement;
    if (t.closest('[aria-expanded="true"]') || t.closest('[data-position]')) return;
    e.preventDefault();
    props.onClose();
  }

  const live = useMemo(() => lines.filter((l) => isLive(l.state) || l.state === 'ended').slice(-2), [lines]);

  /** Places a call from the chosen caller ID (a consultation call of a transfer too); false when it cannot. */
  async function place(to: string): Promise<boolean> {
    if (!phone) return false;
    const outside = to.startsWith('+');
    if (outside && callerId === null) {
      setError('You have no business number to call from. Ask an Administrator.');
      return false;
    }
    const bn = numbers.find((n) => n.id === callerId) ?? null;
    try {
      await phone.dial(to, outside ? callerId : null, outside ? bn?.label || bn?.formatted || null : null);
      return true;
    } catch (err) {
      notifyError(err, 'Call not placed');
      return false;
    }
  }

  async function dial(e?: FormEvent) {
    e?.preventDefault();
    setError(null);
    if (!target) return setError('Enter an extension or a phone number, e.g. 105 or (213) 555-0100.');
    if (await place(target)) dispatch(sp.dialStringChanged(''));
  }

  return (
    <Box p="md" role="dialog" aria-label="Phone" id="phone-panel" onKeyDown={onKeyDown}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap={8}>
            <Text fw={700}>Phone</Text>
            <Badge
              color={registrationColor[registration.status]}
              variant="dot"
              aria-label={`Phone status: ${registrationText[registration.status]}`}
            >
              {registrationText[registration.status]}
            </Badge>
          </Group>
          <Group gap={4}>
            <AudioSettings />
            <CloseButton aria-label="Close phone" onClick={props.onClose} />
          </Group>
        </Group>
        <AvailabilityPicker />
        {registration.reason && registration.status !== 'registered' && (
          <Alert color={registration.status === 'failed' ? 'red' : 'yellow'} py={6}>
            <Text size="xs">{registration.reason}</Text>
          </Alert>
        )}
        {(microphone === 'denied' || microphone === 'missing') && (
          <Alert color="red" py={6} title={microphone === 'missing' ? 'No microphone found' : 'Microphone blocked'}>
            <Text size="xs">
              {microphone === 'missing'
                ? 'Plug in a headset or microphone, then try again.'
                : 'Allow microphone access for Teamline in your system or browser settings, then try again.'}
            </Text>
            <Button size="compact-xs" variant="white" mt={6} onClick={() => void phone?.checkMicrophone()}>
              Try again
            </Button>
          </Alert>
        )}
        {live.map((l) => (
          <LineCard
            key={l.id}
            line={l}
            other={live.find((o) => o.id !== l.id) ?? null}
            focused={l.id === focusedLineId}
            ownExtension={props.me.user.extension}
            onConsult={(to) => void place(to)}
          />
        ))}
        <Stack component="form" gap="xs" onSubmit={dial}>
          <Select
            label="Call from"
            size="xs"
            data={numbers.map((n) => ({
              value: String(n.id),
              label: n.label ? `${n.label} · ${n.formatted}` : n.formatted,
            }))}
            value={callerId === null ? null : String(callerId)}
            onChange={(v) => setChosen(v ? Number(v) : null)}
            placeholder={numbers.length ? undefined : 'No numbers to call from'}
            disabled={numbers.length === 0}
            allowDeselect={false}
          />
          <TextInput
            label="Number or extension"
            value={dialString}
            onChange={(e) => dispatch(sp.dialStringChanged(e.currentTarget.value))}
            error={error}
            ref={numberField}
            size="md"
            autoComplete="off"
          />
          <Keypad label="Dial pad" onKey={(k) => dispatch(sp.dialStringChanged(dialString + k))} />
          <Button
            type="submit"
            color="teal"
            leftSection={<IconPhone size={16} />}
            disabled={registration.status !== 'registered' || !dialString.trim()}
          >
            Call
          </Button>
        </Stack>
      </Stack>
    </Box>
  );
}

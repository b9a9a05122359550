import { ActionIcon, Badge, Button, Card, Group, Popover, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import {
  IconArrowForwardUp,
  IconDialpad,
  IconMicrophone,
  IconMicrophoneOff,
  IconPhone,
  IconPhoneOff,
  IconPlayerPause,
  IconPlayerPlay,
  IconVolume,
} from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { formatDuration, formatPhone } from '../ui/format';
import { notifyError } from '../ui/notify';
import { Keypad } from './Keypad';
import { RecordButton } from './RecordButton';
import { TransferPicker } from './TransferPicker';
import { useSoftphone } from './runtime';
import type { Line } from './slice';

const stateText: Record<Line['state'], string> = {
  idle: '',
  dialing: 'Calling…',
  ringing: 'Incoming call',
  established: 'Connected',
  held: 'On hold',
  ended: 'Ended',
};

function useTimer(since: number | null) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [since]);
  return since === null ? null : Math.max(0, (now - since) / 1000);
}

/** One line: who, its state and timer, and the controls its state allows. */
export function LineCard(props: {
  line: Line;
  other: Line | null;
  focused: boolean;
  ownExtension: string;
  /** Calls someone on the other line to talk before handing this call over. */
  onConsult: (to: string) => void;
}) {
  const { line, other } = props;
  const phone = useSoftphone();
  const elapsed = useTimer(line.answeredAt);
  const [transferOpen, setTransferOpen] = useState(false);
  const run = (f: () => Promise<void> | void) => async () => {
    try {
      await f();
    } catch (e) {
      notifyError(e, 'The phone could not do that');
    }
  };
  if (!phone) return null;
  const who = line.remoteName ?? formatPhone(line.remote);
  const live = line.state === 'established' || line.state === 'held';
  return (
    <Card
      withBorder
      padding="sm"
      radius="md"
      bg={props.focused ? 'var(--mantine-primary-color-light)' : undefined}
      aria-label={`Call with ${who}`}
      role="group"
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Text fw={600} size="sm" truncate>
            {who}
          </Text>
          <Text size="xs" c="dimmed">
            {line.state === 'ended' && line.endedReason
              ? line.endedReason
              : line.state === 'established' && line.remoteHeld
                ? 'On hold (by the other side)'
                : stateText[line.state]}
            {elapsed !== null && line.state !== 'ended' ? ` · ${formatDuration(elapsed)}` : ''}
            {line.bnLabel ? ` · from ${line.bnLabel}` : ''}
          </Text>
          {line.remoteName && (
            <Text size="xs" c="dimmed">
              {formatPhone(line.remote)}
            </Text>
          )}
          {line.state === 'established' && line.audio === 'silent' && (
            <Text size="xs" c="orange" role="status">
              No audio from the other side. Check their connection, or call again.
            </Text>
          )}
          {(line.tonesSent || line.tonesReceived) && line.state !== 'ended' && (
            <Text size="xs" c="dimmed" aria-label="Tones">
              {line.tonesSent && `Sent ${line.tonesSent}`}
              {line.tonesSent && line.tonesReceived && ' · '}
              {line.tonesReceived && `Received ${line.tonesReceived}`}
            </Text>
          )}
        </Stack>
        <Group gap={4} wrap="nowrap">
          {line.state === 'established' && line.audio === 'flowing' && (
            <Tooltip label="The other side’s audio is arriving">
              <ThemeIcon size="sm" variant="light" color="teal" role="img" aria-label="Hearing the other side">
                <IconVolume size={14} />
              </ThemeIcon>
            </Tooltip>
          )}
          {line.muted && <Badge color="red">Muted</Badge>}
        </Group>
      </Group>
      <Group gap={6} mt="xs" wrap="wrap">
        {line.state === 'ringing' && (
          <>
            <Button
              size="xs"
              color="teal"
              leftSection={<IconPhone size={14} />}
              onClick={run(() => phone.answer(line.id))}
            >
              Answer
            </Button>
            <Button
              size="xs"
              color="red"
              variant="light"
              leftSection={<IconPhoneOff size={14} />}
              onClick={run(() => phone.decline(line.id))}
            >
              Decline
            </Button>
          </>
        )}
        {line.state === 'established' && (
          <Tooltip label="Hold">
            <ActionIcon variant="default" size="lg" aria-label="Hold" onClick={run(() => phone.hold(line.id))}>
              <IconPlayerPause size={16} />
            </ActionIcon>
          </Tooltip>
        )}
        {line.state === 'held' && (
          <Tooltip label="Resume">
            <ActionIcon variant="default" size="lg" aria-label="Resume" onClick={run(() => phone.resume(line.id))}>
              <IconPlayerPlay size={16} />
            </ActionIcon>
          </Tooltip>
        )}
        {live && (
          <Tooltip label={line.muted ? 'Unmute' : 'Mute'}>
            <ActionIcon
              variant="default"
              size="lg"
              aria-label={line.muted ? 'Unmute' : 'Mute'}
              onClick={() => phone.mute(line.id, !line.muted)}
            >
              {line.muted ? <IconMicrophoneOff size={16} /> : <IconMicrophone size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
        <RecordButton line={line} />
        {line.state === 'established' && (
          <Popover position="bottom" withArrow trapFocus>
            <Popover.Target>
              <ActionIcon variant="default" size="lg" aria-label="Keypad">
                <IconDialpad size={16} />
              </ActionIcon>
            </Popover.Target>
            <Popover.Dropdown>
              <Keypad label="Send tones" onKey={(k) => void phone.dtmf(line.id, k)} />
            </Popover.Dropdown>
          </Popover>
        )}
        {live && (
          <Popover position="bottom-end" withArrow trapFocus opened={transferOpen} onChange={setTransferOpen}>
            <Popover.Target>
              <ActionIcon variant="default" size="lg" aria-label="Transfer" onClick={() => setTransferOpen((o) => !o)}>
                <IconArrowForwardUp size={16} />
              </ActionIcon>
            </Popover.Target>
            <Popover.Dropdown>
              <TransferPicker
                line={line}
                other={other}
                ownExtension={props.ownExtension}
                onTransfer={(to) => (setTransferOpen(false), void run(() => phone.transfer(line.id, to))())}
                onConsult={(to) => (setTransferOpen(false), props.onConsult(to))}
                onConnect={() =>
                  other && (setTransferOpen(false), void run(() => phone.attendedTransfer(line.id, other.id))())
                }
              />
            </Popover.Dropdown>
          </Popover>
        )}
        {line.state !== 'ringing' && line.state !== 'ended' && (
          <Button
            size="xs"
            color="red"
            leftSection={<IconPhoneOff size={14} />}
            onClick={run(() => phone.hangup(line.id))}
            ml="auto"
          >
            Hang up
          </Button>
        )}
        {line.state !== 'ended' && !props.focused && live && (
          <Button size="xs" variant="subtle" onClick={() => phone.focus(line.id)}>
            Show
          </Button>
        )}
      </Group>
    </Card>
  );
}

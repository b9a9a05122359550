import { Badge, Group, Stack, Text, ThemeIcon, UnstyledButton, VisuallyHidden } from '@mantine/core';
import {
  IconArrowDownLeft,
  IconArrowUpRight,
  IconArrowsLeftRight,
  IconPhoneX,
  IconDeviceAudioTape,
} from '@tabler/icons-react';
import type { CallRow } from '../../../../shared/api/entities';
import { formatDuration, formatPhone, formatWhen } from '../../ui/format';

export function callIcon(c: Pick<CallRow, 'direction' | 'result'>) {
  if (c.result === 'voicemail') return { icon: IconDeviceAudioTape, color: 'orange', label: 'Voicemail' };
  if (c.result === 'missed')
    return { icon: IconPhoneX, color: 'red', label: c.direction === 'outbound' ? 'Not answered' : 'Missed' };
  if (c.direction === 'internal') return { icon: IconArrowsLeftRight, color: 'gray', label: 'Internal' };
  return c.direction === 'inbound'
    ? { icon: IconArrowDownLeft, color: 'teal', label: 'Inbound' }
    : { icon: IconArrowUpRight, color: 'blue', label: 'Outbound' };
}

/** Whom "Call back" dials: the outside party, or on an internal call the first teammate on it who is not `myUserId`. */
export const callBackTarget = (c: CallRow, myUserId: number | undefined): string | null =>
  c.externalNumber ?? c.participants.find((p) => p.userId !== myUserId && p.extension)?.extension ?? null;

export const otherParty = (c: CallRow) =>
  c.direction === 'internal'
    ? c.participants.map((p) => p.name).join(' → ') || 'Internal call'
    : (c.contactName ?? formatPhone(c.externalNumber));

export function CallRowView(props: { call: CallRow; selected: boolean; onOpen: () => void }) {
  const c = props.call;
  const i = callIcon(c);
  const talk = c.answeredAt && c.endedAt ? (c.endedAt - c.answeredAt) / 1000 : null;
  const people = c.participants.filter((p) => p.role !== 'missed');
  return (
    <UnstyledButton
      onClick={props.onOpen}
      w="100%"
      h="100%"
      px="lg"
      aria-current={props.selected ? 'true' : undefined}
      data-call-id={c.id}
      style={{
        borderBottom: '1px solid var(--mantine-color-default-border)',
        background: props.selected ? 'var(--mantine-primary-color-light)' : undefined,
      }}
    >
      <Group wrap="nowrap" gap="sm" h="100%">
        <ThemeIcon variant="light" color={i.color} radius="xl" size={30} aria-hidden>
          <i.icon size={16} />
        </ThemeIcon>
        <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
          <VisuallyHidden>{i.label} call,</VisuallyHidden>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" fw={600} truncate>
              {otherParty(c)}
            </Text>
            {c.contactName && c.externalNumber && (
              <Text size="xs" c="dimmed" truncate>
                {formatPhone(c.externalNumber)}
              </Text>
            )}
          </Group>
          <Text size="xs" c="dimmed" truncate>
            {[
              c.bnE164 ? formatPhone(c.bnE164) : null,
              c.callFlowName,
              c.groupName,
              people.map((p) => p.name).join(', ') || null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Text>
        </Stack>
        {c.hasVoicemail && (
          <Badge color="orange" size="xs">
            Voicemail
          </Badge>
        )}
        <Stack gap={0} align="flex-end" w={150}>
          <Text size="xs" className="tabular">
            {formatWhen(c.startedAt)}
          </Text>
          <Text size="xs" c="dimmed" className="tabular">
            {talk !== null ? formatDuration(talk) : i.label}
          </Text>
        </Stack>
      </Group>
    </UnstyledButton>
  );
}

import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Group,
  ScrollArea,
  SimpleGrid,
  Stack,
  Text,
  Timeline,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconInfoCircle, IconPhone, IconX } from '@tabler/icons-react';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useClickToCall } from '../../softphone/runtime';
import type { CallDetail as Detail } from '../../../../shared/api/entities';
import { QueryState } from '../../ui/QueryState';
import { formatDateTime, formatDuration, formatPhone } from '../../ui/format';
import { VoicemailPlayer } from '../voicemail/VoicemailPlayer';
import { useCallQuery } from './api';
import { useMeQuery } from '../session/api';
import { callBackTarget, callIcon, otherParty } from './CallRowView';
import { CallReview } from './CallReview';
import { CallRecordingsPanel } from '../recordings/RecordingPlayer';

const eventText: Record<Detail['events'][number]['kind'], (e: Detail['events'][number]) => string> = {
  entered: (e) => (e.detail ? `${e.detail}` : 'Call started'),
  greeting: (e) => (e.detail ? `Greeting: ${e.detail}` : 'Greeting played'),
  hours_open: () => 'Within business hours',
  hours_closed: () => 'Outside business hours',
  menu: (e) => `Menu: ${e.detail || 'choice made'}`,
  ring_group: (e) => `Rang the group ${e.groupName ?? ''}`,
  ring_user: (e) => `Rang ${e.userName ?? 'a team member'}`,
  rang: (e) => `${e.userName ?? 'A team member'}’s phone rang`,
  answered: (e) => (e.userName ? `${e.userName} answered` : e.detail || 'Answered'),
  transferred: (e) =>
    `Transferred to ${e.userName ?? 'a team member'}${e.detail ? ` (${e.detail.toLowerCase()})` : ''}`,
  voicemail: (e) =>
    `Voicemail${e.userName ? ` for ${e.userName}` : e.groupName ? ` for ${e.groupName}` : ''}${e.detail ? `: ${e.detail}` : ''}`,
  ended: (e) => (e.detail ? `Ended: ${e.detail}` : 'Call ended'),
};

function Fact(props: { label: string; value: string | null | undefined }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {props.label}
      </Text>
      <Text size="sm">{props.value || '—'}</Text>
    </Stack>
  );
}

/** A call's detail: where it came in, the path it took through its flow, who took it, and why the viewer may see it. */
export function CallDetailPanel(props: { callId: number; onClose: () => void }) {
  const q = useCallQuery(props.callId);
  const callTo = useClickToCall();
  const me = useMeQuery();
  const c = q.data;
  const back = c ? callBackTarget(c, me.data?.user.id) : null;
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening a call moves focus into its details, so that Tab goes on from here rather than through every row first.
  useEffect(() => {
    heading.current?.focus();
  }, [props.callId]);
  const { onClose } = props;
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if ((e.target as HTMLElement).closest('[aria-expanded="true"], [data-position]')) return;
    e.preventDefault();
    onClose();
  };
  return (
    <Box
      h="100%"
      style={{ display: 'flex', flexDirection: 'column' }}
      aria-label="Call details"
      role="region"
      onKeyDown={onKeyDown}
    >
      <Group
        justify="space-between"
        px="md"
        py="sm"
        style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
      >
        <Title order={2} fz="md" ref={heading} tabIndex={-1}>
          Call details
        </Title>
        <ActionIcon variant="subtle" onClick={props.onClose} aria-label="Close call details">
          <IconX size={16} />
        </ActionIcon>
      </Group>
      <ScrollArea style={{ flex: 1 }}>
        <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
          {c && (
            <Stack p="md" gap="md">
              <Stack gap={4}>
                <Text fw={700} fz="lg">
                  {otherParty(c)}
                </Text>
                <Group gap={6}>
                  {callTo && back && (
                    <Button
                      size="compact-xs"
                      color="teal"
                      leftSection={<IconPhone size={12} />}
                      onClick={() => callTo(back)}
                    >
                      Call back
                    </Button>
                  )}
                  <Badge color={c.direction === 'internal' ? 'gray' : c.direction === 'inbound' ? 'teal' : 'blue'}>
                    {c.direction === 'internal' ? 'Internal' : c.direction === 'inbound' ? 'Inbound' : 'Outbound'}
                  </Badge>
                  <Badge color={c.result === 'answered' ? 'gray' : callIcon(c).color}>
                    {c.result === 'answered' ? 'Answered' : callIcon(c).label}
                  </Badge>
                  {c.contactName && c.externalNumber && <Text size="sm">{formatPhone(c.externalNumber)}</Text>}
                </Group>
              </Stack>
              <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
                <Fact label="Business number" value={c.bnE164 ? formatPhone(c.bnE164) : null} />
                <Fact
                  label={c.direction === 'outbound' ? 'Caller ID used' : 'Caller'}
                  value={c.direction === 'outbound' ? formatPhone(c.bnE164) : formatPhone(c.externalNumber)}
                />
                <Fact label="Call flow" value={c.callFlowName} />
                <Fact label="Landed in group" value={c.groupName} />
                <Fact label="Started" value={formatDateTime(c.startedAt)} />
                <Fact
                  label="Ringing"
                  value={
                    c.answeredAt
                      ? formatDuration((c.answeredAt - c.startedAt) / 1000)
                      : c.endedAt
                        ? formatDuration((c.endedAt - c.startedAt) / 1000)
                        : null
                  }
                />
                <Fact
                  label="Talk time"
                  value={c.answeredAt && c.endedAt ? formatDuration((c.endedAt - c.answeredAt) / 1000) : null}
                />
                <Fact label="Team members" value={c.participants.map((p) => `${p.name} (${p.role})`).join(', ')} />
              </SimpleGrid>
              {c.voicemail && <VoicemailPlayer voicemail={c.voicemail} />}
              <CallRecordingsPanel callId={c.id} />
              <CallReview callId={c.id} />
              <Stack gap={6}>
                <Text fw={600} size="sm">
                  Path
                </Text>
                {c.events.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    No routing steps were recorded for this call.
                  </Text>
                ) : (
                  <Timeline bulletSize={12} lineWidth={2} active={c.events.length} aria-label="Call path">
                    {c.events.map((e, i) => (
                      <Timeline.Item key={i} style={{ paddingTop: 0, marginTop: i === 0 ? 0 : 10 }}>
                        <Group justify="space-between" gap="xs" wrap="nowrap">
                          <Text size="sm" lh={1.3}>
                            {eventText[e.kind](e)}
                          </Text>
                          <Text size="xs" c="dimmed" className="tabular">
                            +{formatDuration((e.at - c.startedAt) / 1000)}
                          </Text>
                        </Group>
                      </Timeline.Item>
                    ))}
                  </Timeline>
                )}
              </Stack>
              <Alert
                variant="light"
                color="gray"
                icon={<IconInfoCircle size={16} />}
                title={
                  <Tooltip label="Which rule of the access policy shows you this call">
                    <span>Why can I see this?</span>
                  </Tooltip>
                }
              >
                <Text size="sm">{c.why.explanation}</Text>
              </Alert>
            </Stack>
          )}
        </QueryState>
      </ScrollArea>
    </Box>
  );
}

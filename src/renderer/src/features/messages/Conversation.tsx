import { Box, Button, Center, Group, Paper, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useRef } from 'react';
import type { BusinessNumber, Thread } from '../../../../shared/api/entities';
import { call } from '../../app/api';
import { QueryState } from '../../ui/QueryState';
import { WhyVisible } from '../../ui/WhyVisible';
import { formatPhone, formatWhen } from '../../ui/format';
import { useMarkThreadReadMutation, useMessagesInfiniteQuery } from './api';
import { Composer } from './Composer';
import type { Message } from '../../../../shared/api/entities';

/** Where an outbound text is: in the outbox (and why it waits), taken by the carrier, or refused with its reason. */
function deliveryText(m: Message): string {
  const parts = m.segments > 1 ? ` (${m.segments} parts)` : '';
  if (m.status === 'sent') return `Sent${parts}`;
  if (m.status === 'failed') return `Failed: ${m.statusReason ?? 'refused by the carrier'}`;
  return m.statusReason ? `Queued: ${m.statusReason}` : `Queued${parts}`;
}

/** One conversation, oldest at the top, newest at the bottom by the composer. */
export function Conversation(props: { thread: Thread; smsNumbers: BusinessNumber[] }) {
  const { thread } = props;
  const q = useMessagesInfiniteQuery(thread.id);
  const [markRead] = useMarkThreadReadMutation();
  const bottom = useRef<HTMLDivElement>(null);
  const messages = useMemo(() => (q.data?.pages.flatMap((p) => p.items) ?? []).slice().reverse(), [q.data]);
  const newest = messages[messages.length - 1]?.id;

  useEffect(() => {
    if (thread.unread) void markRead(thread.id);
  }, [thread.id, thread.unread, markRead]);
  useEffect(() => {
    // A block body: an effect may return only a clean-up function, and in
    // current Chromium scrollIntoView() returns a Promise.
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [newest]);

  return (
    <Box h="100%" style={{ display: 'flex', flexDirection: 'column' }} role="region" aria-label="Conversation">
      <Group
        px="md"
        py="sm"
        justify="space-between"
        style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
      >
        <Stack gap={0}>
          <Title order={3} fz="md">
            {thread.contactName ?? formatPhone(thread.externalNumber)}
          </Title>
          <Text size="xs" c="dimmed">
            {thread.contactName ? `${formatPhone(thread.externalNumber)} · ` : ''}via {formatPhone(thread.bnE164)}
          </Text>
        </Stack>
        <WhyVisible load={() => call('messages.why', { threadId: thread.id })} />
      </Group>
      <ScrollArea style={{ flex: 1 }} px="md">
        <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
          <Stack gap={6} py="md">
            {q.hasNextPage && (
              <Center>
                <Button
                  size="xs"
                  variant="subtle"
                  loading={q.isFetchingNextPage}
                  onClick={() => void q.fetchNextPage()}
                >
                  Load older messages
                </Button>
              </Center>
            )}
            {messages.map((m) => {
              const mine = m.direction === 'outbound';
              return (
                <Group key={m.id} justify={mine ? 'flex-end' : 'flex-start'}>
                  <Paper
                    px="sm"
                    py={6}
                    radius="lg"
                    maw="75%"
                    bg={mine ? 'var(--mantine-primary-color-filled)' : 'var(--mantine-color-default-hover)'}
                    c={mine ? 'white' : undefined}
                  >
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                      {m.body}
                    </Text>
                    <Text size="xs" opacity={0.75} ta={mine ? 'right' : 'left'}>
                      {mine ? `${m.senderName ?? 'Automatic reply'} · ` : ''}
                      {formatWhen(m.sentAt)}
                      {mine ? ` · ${deliveryText(m)}` : ''}
                    </Text>
                  </Paper>
                </Group>
              );
            })}
            <div ref={bottom} />
          </Stack>
        </QueryState>
      </ScrollArea>
      <Box p="md" style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <Composer
          smsNumbers={props.smsNumbers}
          reply={{ bnId: thread.bnId, to: thread.externalNumber }}
          onSent={() => undefined}
        />
      </Box>
    </Box>
  );
}

import { Box, Button, Center, Group, Select, Stack, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { IconMessagePlus, IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { Thread } from '../../../../shared/api/entities';
import { navigate, useRoute } from '../../app/router';
import type { PageComponent } from '../../app/sections';
import { ExportButton } from '../../ui/ExportButton';
import { ListRow } from '../../ui/ListRow';
import { PageHeader } from '../../ui/PageHeader';
import { PagedList, usePagedItems } from '../../ui/PagedList';
import { formatPhone, formatWhen } from '../../ui/format';
import { useNumbersQuery } from '../directory/api';
import { useThreadsInfiniteQuery, type ThreadFilter } from './api';
import { Composer } from './Composer';
import { Conversation } from './Conversation';

function ThreadRow(props: { thread: Thread; selected: boolean; onOpen: () => void }) {
  const t = props.thread;
  const name = t.contactName ?? formatPhone(t.externalNumber);
  return (
    <ListRow selected={props.selected} onOpen={props.onOpen} px="md" data={{ 'data-thread-id': t.id }}>
      <Stack gap={0} justify="center" h="100%">
        <VisuallyHidden>{t.unread ? 'Unread conversation with' : 'Conversation with'}</VisuallyHidden>
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text size="sm" fw={t.unread ? 700 : 500} truncate>
            {name}
          </Text>
          <Text size="xs" c="dimmed" className="tabular" style={{ flexShrink: 0 }}>
            {formatWhen(t.lastMessageAt)}
          </Text>
        </Group>
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text size="xs" c={t.unread ? undefined : 'dimmed'} fw={t.unread ? 600 : 400} truncate>
            {t.lastMessagePreview}
          </Text>
          {t.unread && <Box w={8} h={8} bg="red.6" style={{ borderRadius: 4, flexShrink: 0 }} aria-hidden />}
        </Group>
      </Stack>
    </ListRow>
  );
}

export const MessagesPage: PageComponent = ({ id, me }) => {
  const route = useRoute();
  const prefillTo = route.params.get('to') ?? undefined;
  const [search, setSearch] = useState('');
  const [bnId, setBnId] = useState<string | null>(null);
  const [filter, setFilter] = useState<ThreadFilter>({});
  const [composing, setComposing] = useState(Boolean(prefillTo));
  const numbers = useNumbersQuery();
  const q = useThreadsInfiniteQuery(filter);
  const threads = usePagedItems(q);
  const selectedId = id ? Number(id) : null;
  const selected = threads.find((t) => t.id === selectedId) ?? null;

  useEffect(() => {
    const t = window.setTimeout(
      () => setFilter({ ...(search.trim() ? { search: search.trim() } : {}), ...(bnId ? { bnId: Number(bnId) } : {}) }),
      250,
    );
    return () => window.clearTimeout(t);
  }, [search, bnId]);

  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <Box
        w={360}
        style={{
          display: 'flex',
          flexDirection: 'column',
          borderRight: '1px solid var(--mantine-color-default-border)',
        }}
      >
        <PageHeader
          title="Messages"
          actions={
            <>
              <ExportButton kind="messages" filter={filter} label="Export" />
              <Button
                size="xs"
                leftSection={<IconMessagePlus size={14} />}
                onClick={() => (setComposing(true), navigate('messages'))}
              >
                New message
              </Button>
            </>
          }
        />
        <Group px="md" pb="sm" gap="xs" grow role="search" aria-label="Filter conversations">
          <TextInput
            size="xs"
            aria-label="Search conversations by name or number"
            placeholder="Name or number"
            leftSection={<IconSearch size={14} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
          <Select
            size="xs"
            aria-label="Business number"
            placeholder="All numbers"
            clearable
            data={(numbers.data ?? []).map((n) => ({ value: String(n.id), label: n.label || n.formatted }))}
            value={bnId}
            onChange={setBnId}
          />
        </Group>
        <PagedList
          query={q}
          label="Conversations"
          rowHeight={60}
          getKey={(t) => t.id}
          renderRow={(t) => (
            <ThreadRow
              thread={t}
              selected={t.id === selectedId}
              onOpen={() => (setComposing(false), navigate('messages', t.id))}
            />
          )}
          emptyTitle="No conversations"
          emptyText="Conversations your access lets you see will show up here."
        />
      </Box>
      <Box style={{ flex: 1, minWidth: 0 }}>
        {composing && !selected ? (
          <Stack p="lg" maw={640}>
            <Title order={3} fz="md">
              New message
            </Title>
            <Composer
              smsNumbers={me.smsNumbers}
              initialTo={prefillTo}
              onSent={(m) => {
                setComposing(false);
                navigate('messages', m.threadId);
              }}
            />
          </Stack>
        ) : selected ? (
          <Conversation key={selected.id} thread={selected} smsNumbers={me.smsNumbers} />
        ) : (
          <Center h="100%">
            <Text c="dimmed" size="sm">
              Choose a conversation, or start a new one.
            </Text>
          </Center>
        )}
      </Box>
    </Box>
  );
};

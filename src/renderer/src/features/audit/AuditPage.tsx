import { Box, Button, Center, Group, Loader, Select, Text, TextInput } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { AuditEvent } from '../../../../shared/api/entities';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { useGroupsQuery, useUsersQuery } from '../directory/api';
import type { FlowNames } from '../flows/flowText';
import { useAuditEventsInfiniteQuery, type AuditFilter } from './api';
import { AuditRow, targetLabel } from './AuditRow';

type TargetType = NonNullable<AuditFilter['targetType']>;
const targetTypes: TargetType[] = ['user', 'group', 'callFlow', 'number', 'integration', 'billing', 'account', 'contact'];

/** "2026-03-04" → local midnight that day (ms); `nextDay` gives the following midnight, for an inclusive end date. */
function dayStart(value: string, nextDay = false): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (nextDay ? 1 : 0)).getTime();
}

/**
 * Rows grow when their changes are opened, so this list measures each row
 * (unlike ui/VirtualList's fixed rows); only visible rows are in the DOM, and
 * the next (older) page loads as the end comes into view.
 */
function AuditList(props: { items: readonly AuditEvent[]; hasMore: boolean; loadingMore: boolean; onLoadMore: () => void; names: FlowNames }) {
  const { items, hasMore, loadingMore, onLoadMore } = props;
  const parent = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const virtualizer = useVirtualizer({
    count: items.length + (hasMore ? 1 : 0),
    getScrollElement: () => parent.current,
    estimateSize: () => 62,
    overscan: 8,
    getItemKey: (i) => items[i]?.id ?? 'more',
  });
  const virtualItems = virtualizer.getVirtualItems();
  const last = virtualItems[virtualItems.length - 1];
  useEffect(() => {
    if (last && last.index >= items.length - 1 && hasMore && !loadingMore) onLoadMore();
  }, [last, items.length, hasMore, loadingMore, onLoadMore]);

  const toggle = (id: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <Box ref={parent} style={{ height: '100%', overflowY: 'auto', contain: 'strict' }} role="list" aria-label="Audit events">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {virtualItems.map((v) => {
          const e = items[v.index];
          return (
            <div
              key={v.key}
              data-index={v.index}
              ref={virtualizer.measureElement}
              role="listitem"
              style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${v.start}px)` }}
            >
              {e ? (
                <AuditRow event={e} expanded={open.has(e.id)} onToggle={() => toggle(e.id)} names={props.names} />
              ) : (
                <Center h={48}>
                  <Loader size="xs" aria-label="Loading older events" />
                </Center>
              )}
            </div>
          );
        })}
      </div>
    </Box>
  );
}

export const AuditPage: PageComponent = () => {
  const [actor, setActor] = useState<string | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const users = useUsersQuery({ includeInactive: true });
  const groups = useGroupsQuery();
  const names: FlowNames = useMemo(() => {
    const g = new Map((groups.data ?? []).map((x) => [x.id, x.name]));
    const u = new Map((users.data ?? []).map((x) => [x.id, x.name]));
    return { group: (i) => g.get(i) ?? null, user: (i) => u.get(i) ?? null };
  }, [groups.data, users.data]);

  const fromMs = dayStart(from);
  const toMs = dayStart(to, true);
  const rangeError = fromMs !== undefined && toMs !== undefined && toMs <= fromMs ? 'The end date is before the start date.' : undefined;
  const filter: AuditFilter = useMemo(
    () => ({
      ...(actor ? { actorUserId: Number(actor) } : {}),
      ...(target ? { targetType: target as TargetType } : {}),
      ...(fromMs !== undefined ? { from: fromMs } : {}),
      ...(toMs !== undefined && !rangeError ? { to: toMs } : {}),
    }),
    [actor, target, fromMs, toMs, rangeError],
  );
  const q = useAuditEventsInfiniteQuery(filter);
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const { fetchNextPage } = q;
  const loadMore = useMemo(() => () => void fetchNextPage(), [fetchNextPage]);
  const filtered = Object.keys(filter).length > 0;

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader title="Audit log" description="Who changed what, and when: newest first. Nothing here can be edited or deleted." />
      <Group gap="xs" px="lg" pb="sm" wrap="wrap" align="flex-start" role="search" aria-label="Filter the audit log">
        <Select
          size="xs"
          w={200}
          aria-label="Who"
          placeholder="Anyone"
          searchable
          clearable
          data={(users.data ?? []).map((u) => ({ value: String(u.id), label: `${u.name}${u.active ? '' : ' (deactivated)'}` }))}
          value={actor}
          onChange={setActor}
          nothingFoundMessage="Nobody by that name"
        />
        <Select
          size="xs"
          w={170}
          aria-label="What was changed"
          placeholder="Any kind of change"
          clearable
          data={targetTypes.map((t) => ({ value: t, label: targetLabel[t] ?? t }))}
          value={target}
          onChange={setTarget}
        />
        <Group gap={4} wrap="nowrap" align="flex-start">
          <TextInput size="xs" type="date" aria-label="From date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} w={140} />
          <Text size="xs" c="dimmed" pt={6}>
            to
          </Text>
          <TextInput size="xs" type="date" aria-label="To date" value={to} onChange={(e) => setTo(e.currentTarget.value)} w={140} error={rangeError} />
        </Group>
        {(filtered || from || to) && (
          <Button
            size="xs"
            variant="subtle"
            leftSection={<IconX size={12} />}
            onClick={() => {
              setActor(null);
              setTarget(null);
              setFrom('');
              setTo('');
            }}
          >
            Clear
          </Button>
        )}
      </Group>
      <Box style={{ flex: 1, minHeight: 0, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <QueryState
          loading={q.isLoading}
          error={q.error}
          onRetry={q.refetch}
          empty={items.length === 0}
          emptyTitle={filtered ? 'No events match these filters' : 'No events yet'}
          emptyText={filtered ? 'Try a wider date range or clear a filter.' : 'Changes to people, access, numbers, flows and billing show up here.'}
        >
          <AuditList items={items} hasMore={q.hasNextPage} loadingMore={q.isFetchingNextPage} onLoadMore={loadMore} names={names} />
        </QueryState>
      </Box>
      {items.length > 0 && (
        <Text size="xs" c="dimmed" px="lg" py={4} style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
          {items.length.toLocaleString()} shown{q.hasNextPage ? ' · scroll for older events' : ''}
        </Text>
      )}
    </Box>
  );
};

import { Box, Button, Group, Select, Text, TextInput } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import type { AuditNames } from '../../../../shared/api/contract';
import type { PageComponent } from '../../app/sections';
import { ExportButton } from '../../ui/ExportButton';
import { PageHeader } from '../../ui/PageHeader';
import { PagedList } from '../../ui/PagedList';
import { useGroupsQuery, useUsersQuery } from '../directory/api';
import type { FlowNames } from '../flows/flowText';
import { useAuditEventsInfiniteQuery, type AuditFilter } from './api';
import { AuditRow, targetLabel } from './AuditRow';

type TargetType = NonNullable<AuditFilter['targetType']>;
const targetTypes: TargetType[] = [
  'user',
  'group',
  'callFlow',
  'number',
  'integration',
  'billing',
  'account',
  'contact',
];

/** "2026-03-04" → local midnight that day (ms); `nextDay` gives the following midnight, for an inclusive end date. */
function dayStart(value: string, nextDay = false): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (nextDay ? 1 : 0)).getTime();
}

export const AuditPage: PageComponent = () => {
  const [actor, setActor] = useState<string | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const users = useUsersQuery({ includeInactive: true });
  const groups = useGroupsQuery();

  const fromMs = dayStart(from);
  const toMs = dayStart(to, true);
  const rangeError =
    fromMs !== undefined && toMs !== undefined && toMs <= fromMs ? 'The end date is before the start date.' : undefined;
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
  const filtered = Object.keys(filter).length > 0;
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  // The names of the ids the loaded events hold, as the main process read them with each page.
  const refs: AuditNames = useMemo(() => {
    const all: AuditNames = { numbers: {}, users: {}, groups: {}, callFlows: {} };
    for (const p of q.data?.pages ?? []) {
      Object.assign(all.numbers, p.names.numbers);
      Object.assign(all.users, p.names.users);
      Object.assign(all.groups, p.names.groups);
      Object.assign(all.callFlows, p.names.callFlows);
    }
    return all;
  }, [q.data]);
  const names: FlowNames = useMemo(() => {
    const g = new Map((groups.data ?? []).map((x) => [x.id, x.name]));
    const u = new Map((users.data ?? []).map((x) => [x.id, x.name]));
    return {
      group: (i) => g.get(i) ?? refs.groups[i]?.name ?? null,
      user: (i) => u.get(i) ?? refs.users[i]?.name ?? null,
    };
  }, [groups.data, users.data, refs]);

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader
        title="Audit log"
        description="Who changed what, and when: newest first. Nothing here can be edited or deleted."
        actions={<ExportButton kind="audit" filter={filter} />}
      />
      <Group gap="xs" px="lg" pb="sm" wrap="wrap" align="flex-start" role="search" aria-label="Filter the audit log">
        <Select
          size="xs"
          w={200}
          aria-label="Who"
          placeholder="Anyone"
          searchable
          clearable
          data={(users.data ?? []).map((u) => ({
            value: String(u.id),
            label: `${u.name}${u.active ? '' : ' (deactivated)'}`,
          }))}
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
          <TextInput
            size="xs"
            type="date"
            aria-label="From date"
            value={from}
            onChange={(e) => setFrom(e.currentTarget.value)}
            w={140}
          />
          <Text size="xs" c="dimmed" pt={6}>
            to
          </Text>
          <TextInput
            size="xs"
            type="date"
            aria-label="To date"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            w={140}
            error={rangeError}
          />
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
      <PagedList
        query={q}
        label="Audit events"
        rowHeight={62}
        measured
        getKey={(e) => e.id}
        renderRow={(e) => (
          <AuditRow event={e} expanded={open.has(e.id)} onToggle={() => toggle(e.id)} names={names} refs={refs} />
        )}
        emptyTitle={filtered ? 'No events match these filters' : 'No events yet'}
        emptyText={
          filtered
            ? 'Try a wider date range or clear a filter.'
            : 'Changes to people, access, numbers, flows and billing show up here.'
        }
        footer={`${(q.data?.pages.reduce((n, p) => n + p.items.length, 0) ?? 0).toLocaleString()} shown${q.hasNextPage ? ' · scroll for older events' : ''}`}
      />
    </Box>
  );
};

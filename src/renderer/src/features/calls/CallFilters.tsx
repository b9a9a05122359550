import { Button, Checkbox, Group, Select, TextInput } from '@mantine/core';
import { IconSearch, IconX } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useCallFilterOptionsQuery, type CallFilterInput } from './api';
import { useCallTagsQuery } from '../dashboard/api';

const ranges = [
  { value: '1', label: 'Today' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
];

/**
 * Filters for the calls list. The numbers, flows, groups and people offered
 * come from the main process: only those that calls within this user's
 * call access can carry (an option outside them could only match nothing).
 */
export function CallFilters(props: {
  value: CallFilterInput;
  onChange: (f: CallFilterInput) => void;
  showResult?: boolean;
  /** The dashboard chooses its own range. */
  showRange?: boolean;
  /** Only calls with a recording: the calls list's (the dashboard counts no recordings, voicemails are their own). */
  showRecording?: boolean;
}) {
  const { value, onChange } = props;
  const options = useCallFilterOptionsQuery();
  const o = options.data;
  const tags = useCallTagsQuery();
  const [search, setSearch] = useState(value.search ?? '');
  const [range, setRange] = useState<string | null>(null);

  useEffect(() => {
    const t = window.setTimeout(() => {
      if ((value.search ?? '') !== search) onChange({ ...value, search: search || undefined });
    }, 250);
    return () => window.clearTimeout(t);
  }, [search, value, onChange]);

  const set = (patch: Partial<CallFilterInput>) => {
    const next = { ...value, ...patch };
    for (const k of Object.keys(next) as (keyof CallFilterInput)[]) if (next[k] === undefined) delete next[k];
    onChange(next);
  };
  const num = (v: string | null) => (v ? Number(v) : undefined);
  const active = Object.keys(value).length > 0 || range !== null;

  return (
    <Group gap="xs" px="lg" pb="sm" wrap="wrap" role="search" aria-label="Filter calls">
      <TextInput
        aria-label="Search by name or number"
        placeholder="Name or number"
        leftSection={<IconSearch size={14} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        w={200}
        size="xs"
      />
      <Select
        aria-label="Direction"
        placeholder="Direction"
        size="xs"
        w={120}
        clearable
        data={[
          { value: 'inbound', label: 'Inbound' },
          { value: 'outbound', label: 'Outbound' },
          { value: 'internal', label: 'Internal' },
        ]}
        value={value.direction ?? null}
        onChange={(v) => set({ direction: (v as CallFilterInput['direction']) ?? undefined })}
      />
      {props.showResult !== false && (
        <Select
          aria-label="Result"
          placeholder="Result"
          size="xs"
          w={120}
          clearable
          data={[
            { value: 'answered', label: 'Answered' },
            { value: 'missed', label: 'Missed' },
            { value: 'voicemail', label: 'Voicemail' },
          ]}
          value={value.result ?? null}
          onChange={(v) => set({ result: (v as CallFilterInput['result']) ?? undefined })}
        />
      )}
      <Select
        aria-label="Business number"
        placeholder="Business number"
        size="xs"
        w={190}
        clearable
        data={(o?.numbers ?? []).map((n) => ({
          value: String(n.id),
          label: n.label ? `${n.label} · ${n.formatted}` : n.formatted,
        }))}
        value={value.bnId ? String(value.bnId) : null}
        onChange={(v) => set({ bnId: num(v) })}
      />
      <Select
        aria-label="Call flow"
        placeholder="Call flow"
        size="xs"
        w={150}
        clearable
        data={(o?.callFlows ?? []).map((f) => ({ value: String(f.id), label: f.name }))}
        value={value.callFlowId ? String(value.callFlowId) : null}
        onChange={(v) => set({ callFlowId: num(v) })}
      />
      <Select
        aria-label="Group"
        placeholder="Group"
        size="xs"
        w={130}
        clearable
        data={(o?.groups ?? []).map((g) => ({ value: String(g.id), label: g.name }))}
        value={value.groupId ? String(value.groupId) : null}
        onChange={(v) => set({ groupId: num(v) })}
      />
      <Select
        aria-label="Team member"
        placeholder="Team member"
        size="xs"
        w={170}
        clearable
        searchable
        data={(o?.users ?? []).map((u) => ({
          value: String(u.id),
          label: `${u.name} (${u.extension})${u.active ? '' : ' · deactivated'}`,
        }))}
        value={value.userId ? String(value.userId) : null}
        onChange={(v) => set({ userId: num(v) })}
      />
      {(tags.data ?? []).length > 0 && (
        <Select
          aria-label="Tag"
          placeholder="Tag"
          size="xs"
          w={130}
          clearable
          searchable
          data={(tags.data ?? []).map((t) => ({ value: String(t.id), label: t.name }))}
          value={value.tagId ? String(value.tagId) : null}
          onChange={(v) => set({ tagId: num(v) })}
        />
      )}
      {(props.showRecording ?? (props.showResult !== false && props.showRange !== false)) && (
        <Checkbox
          label="Has recording"
          size="xs"
          checked={value.hasRecording === true}
          onChange={(e) => set({ hasRecording: e.currentTarget.checked ? true : undefined })}
        />
      )}
      {props.showRange !== false && (
        <Select
          aria-label="Date range"
          placeholder="Any date"
          size="xs"
          w={130}
          clearable
          data={ranges}
          value={range}
          onChange={(v) => {
            setRange(v);
            // A preset replaces a range (and its hour of the day) that came with a link.
            const cleared = { to: undefined, hour: undefined, timezone: undefined };
            if (!v) return set({ from: undefined, ...cleared });
            const start = new Date();
            start.setHours(0, 0, 0, 0);
            set({ from: start.getTime() - (Number(v) - 1) * 86_400_000, ...cleared });
          }}
        />
      )}
      {props.showRange !== false && range === null && value.from !== undefined && (
        <LinkedFilter
          label={`Dates: ${rangeLabel(value.from, value.to)}`}
          // An hour of the day is within the range it was counted over: it goes with it.
          onRemove={() => set({ from: undefined, to: undefined, hour: undefined, timezone: undefined })}
        />
      )}
      {value.hour !== undefined && (
        <LinkedFilter
          label={`Hour: ${hourRange(value.hour)}${value.timezone ? ` (${value.timezone})` : ''}`}
          onRemove={() => set({ hour: undefined, timezone: undefined })}
        />
      )}
      {active && (
        <Button
          size="xs"
          variant="subtle"
          leftSection={<IconX size={12} />}
          onClick={() => {
            setSearch('');
            setRange(null);
            onChange({});
          }}
        >
          Clear
        </Button>
      )}
    </Group>
  );
}

const day = (t: number) => new Date(t).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
/** "Nov 27 – Dec 3": the range's first and last day (its end is the next midnight, not counted). */
const rangeLabel = (from: number, to: number | undefined) =>
  to === undefined ? `from ${day(from)}` : day(from) === day(to - 1) ? day(from) : `${day(from)} – ${day(to - 1)}`;
const pad = (h: number) => `${String(h).padStart(2, '0')}:00`;
const hourRange = (h: number) => `${pad(h)}–${pad((h + 1) % 24)}`;

/** A filter that came with a link (a dashboard figure) and has no control of its own: shown, and removable. */
function LinkedFilter(props: { label: string; onRemove: () => void }) {
  return (
    <Button
      size="xs"
      variant="light"
      rightSection={<IconX size={12} aria-hidden />}
      aria-label={`Remove filter ${props.label}`}
      onClick={props.onRemove}
    >
      {props.label}
    </Button>
  );
}

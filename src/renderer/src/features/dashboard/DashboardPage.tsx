import { Anchor, Box, Card, Group, ScrollArea, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Dashboard, DashboardCell } from '../../../../shared/api/callReview';
import { href, navigate, useRoute } from '../../app/router';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { formatDuration } from '../../ui/format';
import { CallFilters } from '../calls/CallFilters';
import type { CallFilterInput } from '../calls/api';
import { useDashboardQuery } from './api';
import { callsQuery } from './callsLink';
import './dashboard.css';

const ranges = [
  { value: '1', label: 'Today' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
];

/** Theme colours (CSS variables), readable on the dark and the light scheme alike. */
const series = [
  { key: 'answered', label: 'Answered', color: 'var(--mantine-color-teal-6)' },
  { key: 'missed', label: 'Missed', color: 'var(--mantine-color-red-6)' },
  { key: 'voicemail', label: 'Voicemail', color: 'var(--mantine-color-yellow-6)' },
] as const;
type Result = (typeof series)[number]['key'];

const pct = (n: number, of: number) => (of === 0 ? '–' : `${Math.round((n / of) * 100)}%`);
const avg = (sum: number, count: number) => (count === 0 ? '–' : formatDuration(Math.round(sum / count / 1000)));
const hourLabel = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** A link to the calls list holding exactly the calls a figure counts. */
function callsHref(f: CallFilterInput) {
  const params = new URLSearchParams(callsQuery(f)).toString();
  return `${href('calls')}${params ? `?${params}` : ''}`;
}

export const DashboardPage: PageComponent = ({ me }) => {
  // The range is in the route, so that Back from a figure's calls returns to the same dashboard.
  const asked = useRoute().params.get('days');
  const days = ranges.some((r) => r.value === asked) ? asked! : '30';
  const setDays = (v: string) => navigate('dashboard', null, { days: v });
  const [filter, setFilter] = useState<CallFilterInput>({});
  const timezone = me.user.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  // The range ends at the next local midnight: a whole number of days, today included.
  const range = useMemo(() => {
    const end = new Date();
    end.setHours(24, 0, 0, 0);
    const start = new Date(end);
    start.setDate(start.getDate() - Number(days));
    return { from: start.getTime(), to: end.getTime() };
  }, [days]);
  const { from: _f, to: _t, ...rest } = filter;
  const q = useDashboardQuery({ ...rest, ...range, timezone });
  const base: CallFilterInput = { ...rest, ...range };
  const d = q.data;

  return (
    <ScrollArea style={{ flex: 1 }}>
      <PageHeader
        title="Dashboard"
        description={`The calls you may see, on your clock (${timezone}). Every figure opens the calls behind it.`}
        actions={<SegmentedControl aria-label="Date range" size="xs" data={ranges} value={days} onChange={setDays} />}
      />
      <CallFilters value={filter} onChange={setFilter} showRange={false} />
      <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
        {d && (
          <Stack px="lg" pb="lg" gap="md">
            <Totals d={d} base={base} />
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              <ChartCard
                title="Calls by day"
                rows={d.byDay.map((r) => ({
                  ...r,
                  label: r.day.slice(5),
                  full: r.day,
                  link: { ...base, from: r.start, to: r.end },
                }))}
              />
              <ChartCard
                title="Calls by hour of day"
                rows={d.byHour.map((r) => ({
                  ...r,
                  label: String(r.hour),
                  full: hourLabel(r.hour),
                  link: { ...base, hour: r.hour, timezone },
                }))}
              />
            </SimpleGrid>
            <Busiest d={d} base={base} />
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              <ChartCard
                title="By business number"
                horizontal
                rows={d.byNumber.map((r) => ({
                  ...r,
                  label: r.name,
                  full: r.name,
                  link: r.key === null ? null : { ...base, bnId: r.key },
                }))}
              />
              <ChartCard
                title="By call flow"
                horizontal
                rows={d.byFlow.map((r) => ({
                  ...r,
                  label: r.name,
                  full: r.name,
                  link: r.key === null ? null : { ...base, callFlowId: r.key },
                }))}
              />
              <ChartCard
                title="By group"
                horizontal
                rows={d.byGroup.map((r) => ({
                  ...r,
                  label: r.name,
                  full: r.name,
                  link: r.key === null ? null : { ...base, groupId: r.key },
                }))}
              />
              <ChartCard
                title="By team member"
                note="A call with two team members counts for each."
                horizontal
                rows={d.byAgent.map((r) => ({ ...r, label: r.name, full: r.name, link: { ...base, userId: r.key } }))}
              />
            </SimpleGrid>
          </Stack>
        )}
      </QueryState>
    </ScrollArea>
  );
};

function Stat(props: { label: string; value: string; detail?: string; link?: CallFilterInput | undefined }) {
  const body = (
    <>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {props.label}
      </Text>
      <Text fz={26} fw={700} className="tabular">
        {props.value}
      </Text>
      {props.detail && (
        <Text size="xs" c="dimmed">
          {props.detail}
        </Text>
      )}
    </>
  );
  return (
    <Card withBorder padding="sm">
      {props.link ? (
        <Anchor
          href={callsHref(props.link)}
          underline="never"
          c="inherit"
          aria-label={`${props.label}: ${props.value}`}
        >
          {body}
        </Anchor>
      ) : (
        body
      )}
    </Card>
  );
}

function Totals(props: { d: Dashboard; base: CallFilterInput }) {
  const t = props.d.totals;
  const { base } = props;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" role="group" aria-label="Totals">
      <Stat label="Calls" value={t.total.toLocaleString('en-US')} link={base} />
      <Stat
        label="Answered"
        value={pct(t.answered, t.total)}
        detail={`${t.answered.toLocaleString('en-US')} calls`}
        link={{ ...base, result: 'answered' }}
      />
      <Stat
        label="Missed"
        value={pct(t.missed, t.total)}
        detail={`${t.missed.toLocaleString('en-US')} calls`}
        link={{ ...base, result: 'missed' }}
      />
      <Stat
        label="Voicemail"
        value={pct(t.voicemail, t.total)}
        detail={`${t.voicemail.toLocaleString('en-US')} calls`}
        link={{ ...base, result: 'voicemail' }}
      />
      <Stat label="Average wait" value={avg(t.waitMs, t.waitCount)} detail="before answer" />
      <Stat label="Average talk" value={avg(t.talkMs, t.talkCount)} detail="answered calls" />
    </SimpleGrid>
  );
}

interface Row extends DashboardCell {
  label: string;
  full: string;
  link: CallFilterInput | null;
}

/** The filter of one bar segment: the row's calls of that result (the filter's own result wins when set). */
const segmentLink = (row: Row, result: Result): CallFilterInput | null =>
  row.link && (row.link.result === undefined || row.link.result === result) ? { ...row.link, result } : null;

/**
 * A chart and the table behind it. The chart is a picture for the eye
 * (hidden from screen readers); the table says the same in rows and links,
 * is read by screen readers and shows itself when the keyboard reaches it.
 */
function ChartCard(props: { title: string; rows: Row[]; horizontal?: boolean; note?: string }) {
  const { rows, horizontal } = props;
  const shown = horizontal ? rows.slice(0, 12) : rows;
  const height = horizontal ? Math.max(120, shown.length * 28 + 40) : 220;
  const open = (row: Row | undefined, result: Result) => {
    const link = row && segmentLink(row, result);
    if (link) navigate('calls', null, callsQuery(link));
  };
  return (
    <Card withBorder padding="sm" component="section" aria-label={props.title}>
      <Title order={2} fz="sm" mb={4}>
        {props.title}
      </Title>
      {props.note && (
        <Text size="xs" c="dimmed" mb={4}>
          {props.note}
        </Text>
      )}
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          No calls.
        </Text>
      ) : (
        <Box aria-hidden="true" h={height} data-chart={props.title}>
          <ResponsiveContainer width="100%" height="100%">
            {/* The table below is the chart for keyboards and screen readers: the picture takes no focus. */}
            <BarChart
              data={shown}
              layout={horizontal ? 'vertical' : 'horizontal'}
              margin={{ left: 4, right: 8 }}
              accessibilityLayer={false}
            >
              <CartesianGrid
                stroke="var(--mantine-color-default-border)"
                vertical={!!horizontal}
                horizontal={!horizontal}
              />
              {horizontal ? (
                <>
                  <XAxis
                    type="number"
                    allowDecimals={false}
                    tick={{ fill: 'var(--mantine-color-dimmed)', fontSize: 11 }}
                  />
                  <YAxis
                    type="category"
                    dataKey="label"
                    width={150}
                    tick={{ fill: 'var(--mantine-color-text)', fontSize: 11 }}
                  />
                </>
              ) : (
                <>
                  <XAxis dataKey="label" tick={{ fill: 'var(--mantine-color-dimmed)', fontSize: 11 }} />
                  <YAxis
                    allowDecimals={false}
                    width={36}
                    tick={{ fill: 'var(--mantine-color-dimmed)', fontSize: 11 }}
                  />
                </>
              )}
              <Tooltip
                cursor={{ fill: 'var(--mantine-color-default-hover)' }}
                contentStyle={{
                  background: 'var(--mantine-color-body)',
                  border: '1px solid var(--mantine-color-default-border)',
                  color: 'var(--mantine-color-text)',
                }}
                labelFormatter={(_l, payload) => (payload?.[0]?.payload as Row | undefined)?.full ?? ''}
              />
              {series.map((s) => (
                <Bar
                  key={s.key}
                  dataKey={s.key}
                  name={s.label}
                  stackId="r"
                  fill={s.color}
                  cursor="pointer"
                  isAnimationActive={false}
                  onClick={(data: { payload?: Row }) => open(data.payload, s.key)}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </Box>
      )}
      <ChartTable title={props.title} rows={rows} />
    </Card>
  );
}

function ChartTable(props: { title: string; rows: Row[] }) {
  const cell = (row: Row, result: Result | null, n: number): ReactNode => {
    const link = result === null ? row.link : segmentLink(row, result);
    return link && n > 0 ? <a href={callsHref(link)}>{n.toLocaleString('en-US')}</a> : n.toLocaleString('en-US');
  };
  return (
    <div className="chart-table">
      <table>
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">{props.title.replace(/^(Calls )?[Bb]y /, '')}</th>
            <th scope="col">Calls</th>
            {series.map((s) => (
              <th scope="col" key={s.key}>
                {s.label}
              </th>
            ))}
            <th scope="col">Average wait</th>
            <th scope="col">Average talk</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.full}>
              <th scope="row">{r.full}</th>
              <td>{cell(r, null, r.total)}</td>
              {series.map((s) => (
                <td key={s.key}>{cell(r, s.key, r[s.key])}</td>
              ))}
              <td>{avg(r.waitMs, r.waitCount)}</td>
              <td>{avg(r.talkMs, r.talkCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Busiest(props: { d: Dashboard; base: CallFilterInput }) {
  const when = new Intl.DateTimeFormat(undefined, {
    timeZone: props.d.timezone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  return (
    <Card withBorder padding="sm" component="section" aria-label="Busiest hours">
      <Title order={2} fz="sm" mb={6}>
        Busiest hours
      </Title>
      {props.d.busiest.length === 0 ? (
        <Text size="sm" c="dimmed">
          No calls.
        </Text>
      ) : (
        <Group gap="sm">
          {props.d.busiest.map((b) => (
            <Card key={b.start} withBorder padding="xs">
              <Anchor href={callsHref({ ...props.base, from: b.start, to: b.end })} size="sm">
                {when.format(b.start)}
              </Anchor>
              <Text size="xs" c="dimmed">
                {b.total} calls · {pct(b.missed, b.total)} missed
              </Text>
            </Card>
          ))}
        </Group>
      )}
    </Card>
  );
}

import { Badge, Box, Button, Code, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { useState } from 'react';
import type { AuditNames } from '../../../../shared/api/contract';
import type { AuditEvent, FlowStep } from '../../../../shared/api/entities';
import { formatDateTime } from '../../ui/format';
import { flowOutline, type FlowNames } from '../flows/flowText';
import { changes, fieldLabel, formatValue, keptLines } from './auditDiff';

export const targetLabel: Record<string, string> = {
  user: 'Person',
  group: 'Group',
  callFlow: 'Call flow',
  number: 'Business number',
  integration: 'Integration',
  billing: 'Billing',
  account: 'Account',
  contact: 'Contact',
};

const stepsOf = (v: unknown): FlowStep[] | null => {
  const steps = (v as { steps?: unknown } | null)?.steps;
  return Array.isArray(steps) ? (steps as FlowStep[]) : null;
};

/** A call flow's steps before and after, as readable outlines; lines only on one side are highlighted. */
function FlowStepsDiff(props: { before: FlowStep[] | null; after: FlowStep[] | null; names: FlowNames }) {
  const sides = {
    before: props.before ? flowOutline(props.before, props.names) : null,
    after: props.after ? flowOutline(props.after, props.names) : null,
  };
  const kept = keptLines(sides.before ?? [], sides.after ?? []);
  return (
    <SimpleGrid cols={2} spacing="sm">
      {(['before', 'after'] as const).map((side) => {
        const lines = sides[side];
        const same = kept[side];
        return (
          <Stack gap={2} key={side} aria-label={`Steps ${side}`} role="group">
            <Text size="xs" fw={600} c="dimmed" tt="uppercase">
              Steps {side}
            </Text>
            {lines === null ? (
              <Text size="xs" c="dimmed">
                —
              </Text>
            ) : (
              lines.map((l, i) => (
                <Text
                  key={i}
                  size="xs"
                  pl={l.depth * 14}
                  c={same.has(i) ? undefined : side === 'before' ? 'red.7' : 'teal.7'}
                  fw={same.has(i) ? undefined : 600}
                >
                  {l.text}
                </Text>
              ))
            )}
          </Stack>
        );
      })}
    </SimpleGrid>
  );
}

function Diff(props: { event: AuditEvent; names: FlowNames; refs: AuditNames }) {
  const { event } = props;
  const [json, setJson] = useState(false);
  const flowSteps =
    event.targetType === 'callFlow' ? { before: stepsOf(event.before), after: stepsOf(event.after) } : null;
  const showSteps = flowSteps !== null && (flowSteps.before !== null || flowSteps.after !== null);
  const list = changes(event.before, event.after).filter((c) => !(showSteps && /^steps(\.|$)/.test(c.key)));
  const pretty = (v: unknown) => (v === null || v === undefined ? '(nothing)' : JSON.stringify(v, null, 2));
  return (
    <Stack gap={6} mt="xs" ml={172}>
      {json ? (
        <SimpleGrid cols={2} spacing="sm">
          {(['before', 'after'] as const).map((side) => (
            <Stack gap={2} key={side}>
              <Text size="xs" fw={600} c="dimmed" tt="uppercase">
                {side}
              </Text>
              <Code block style={{ maxHeight: 320, overflow: 'auto', fontSize: 11 }}>
                {pretty(event[side])}
              </Code>
            </Stack>
          ))}
        </SimpleGrid>
      ) : list.length === 0 && !showSteps ? (
        <Text size="xs" c="dimmed">
          No field changes were recorded for this event.
        </Text>
      ) : list.length === 0 ? null : (
        <Table withTableBorder striped fz="xs" verticalSpacing={4} aria-label="Changes">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="30%">Field</Table.Th>
              <Table.Th w="35%">Before</Table.Th>
              <Table.Th w="35%">After</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.slice(0, 200).map((c) => (
              <Table.Tr key={c.key}>
                <Table.Td>{fieldLabel(c.key)}</Table.Td>
                <Table.Td c={c.before === undefined ? 'dimmed' : 'red.7'} style={{ overflowWrap: 'anywhere' }}>
                  {formatValue(c.before, c.key, props.refs)}
                </Table.Td>
                <Table.Td c={c.after === undefined ? 'dimmed' : 'teal.7'} style={{ overflowWrap: 'anywhere' }}>
                  {formatValue(c.after, c.key, props.refs)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {!json && showSteps && flowSteps && (
        <FlowStepsDiff before={flowSteps.before} after={flowSteps.after} names={props.names} />
      )}
      <Button size="compact-xs" variant="subtle" w="fit-content" onClick={() => setJson((j) => !j)}>
        {json ? 'Show the changed fields' : 'Show the full before and after (JSON)'}
      </Button>
    </Stack>
  );
}

/** One audit event: when, who, what; its before → after opens in place. */
export function AuditRow(props: {
  event: AuditEvent;
  expanded: boolean;
  onToggle: () => void;
  names: FlowNames;
  refs: AuditNames;
}) {
  const e = props.event;
  const hasDetail = e.before !== null || e.after !== null;
  return (
    <Box px="lg" py={10} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
      <Group wrap="nowrap" align="flex-start" gap="md">
        <Text size="xs" c="dimmed" w={156} className="tabular" pt={2} style={{ flexShrink: 0 }}>
          {formatDateTime(e.at)}
        </Text>
        <Stack gap={2} style={{ flex: 1, minWidth: 0 }}>
          <Text size="sm">{e.summary}</Text>
          <Group gap={6}>
            <Text size="xs" c="dimmed">
              by {e.actorName ?? (e.action === 'auth.signInFailed' ? 'someone not signed in' : 'the system')}
            </Text>
            <Badge size="xs" color="gray">
              {targetLabel[e.targetType] ?? e.targetType}
            </Badge>
          </Group>
        </Stack>
        {hasDetail && (
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={props.onToggle}
            aria-expanded={props.expanded}
            aria-label={`${props.expanded ? 'Hide' : 'Show'} changes: ${e.summary}`}
            leftSection={props.expanded ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />}
            style={{ flexShrink: 0 }}
          >
            {props.expanded ? 'Hide changes' : 'Show changes'}
          </Button>
        )}
      </Group>
      {props.expanded && <Diff event={e} names={props.names} refs={props.refs} />}
    </Box>
  );
}

import {
  Box,
  Button,
  Center,
  Group,
  Loader,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertTriangle, IconPlus } from '@tabler/icons-react';
import { useCallback, useMemo, useRef } from 'react';
import type { BusinessNumber, CallFlow } from '../../../../shared/api/entities';
import { navigate } from '../../app/router';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { useCallFlowsQuery, useGroupsQuery, useNumbersQuery, useUsersQuery } from '../directory/api';
import { FlowEditor } from './FlowEditor';
import { emptyGroupsRung } from './flowCheck';
import type { FlowNames } from './flowText';

function countSteps(steps: CallFlow['steps']): number {
  return steps.reduce((n, s) => n + 1 + (s.branches ?? []).reduce((m, b) => m + countSteps(b.steps), 0), 0);
}

function FlowRow(props: {
  flow: CallFlow;
  numbers: readonly BusinessNumber[];
  names: FlowNames;
  selected: boolean;
  onOpen: () => void;
}) {
  const f = props.flow;
  const empty = emptyGroupsRung(f.steps, props.names);
  const shown = props.numbers.filter((n) => f.bnIds.includes(n.id));
  const hidden = f.hiddenBnCount;
  const steps = countSteps(f.steps);
  return (
    <UnstyledButton
      onClick={props.onOpen}
      w="100%"
      px="md"
      py={10}
      aria-current={props.selected ? 'page' : undefined}
      style={{
        borderBottom: '1px solid var(--mantine-color-default-border)',
        background: props.selected ? 'var(--mantine-primary-color-light)' : undefined,
      }}
    >
      <VisuallyHidden>Call flow</VisuallyHidden>
      <Text size="sm" fw={600} truncate>
        {f.name}
      </Text>
      <Text size="xs" c="dimmed">
        {steps === 1 ? '1 step' : `${steps} steps`}
        {f.bnIds.length === 0 ? ' · no numbers' : ''}
      </Text>
      {empty.length > 0 && (
        <Group gap={4} wrap="nowrap" align="flex-start">
          <IconAlertTriangle
            size={12}
            color="var(--mantine-color-orange-8)"
            style={{ marginTop: 2, flexShrink: 0 }}
            aria-hidden
          />
          <Text size="xs" c="orange">
            Rings {empty.length === 1 ? 'a group' : 'groups'} with no members: {empty.join(', ')}
          </Text>
        </Group>
      )}
      {shown.map((n) => (
        <Text key={n.id} size="xs" className="tabular" truncate>
          {n.formatted}
          {n.label ? ` · ${n.label}` : ''}
        </Text>
      ))}
      {hidden > 0 && (
        <Text size="xs" c="dimmed">
          {shown.length > 0 ? '+ ' : ''}
          {hidden} number{hidden > 1 ? 's' : ''} outside your access
        </Text>
      )}
    </UnstyledButton>
  );
}

export const FlowsPage: PageComponent = ({ id, me }) => {
  const flows = useCallFlowsQuery();
  const numbers = useNumbersQuery();
  const groups = useGroupsQuery();
  const users = useUsersQuery();
  const dirty = useRef(false);
  const onDirtyChange = useCallback((d: boolean) => {
    dirty.current = d;
  }, []);

  const names: FlowNames = useMemo(() => {
    const g = new Map((groups.data ?? []).map((x) => [x.id, x.name]));
    const u = new Map((users.data ?? []).map((x) => [x.id, x.name]));
    const m = new Map((groups.data ?? []).map((x) => [x.id, x.memberIds.length]));
    return { group: (i) => g.get(i) ?? null, user: (i) => u.get(i) ?? null, members: (i) => m.get(i) ?? null };
  }, [groups.data, users.data]);

  const list = flows.data ?? [];
  const isNew = id === 'new';
  const selected = !isNew && id ? (list.find((f) => f.id === Number(id)) ?? null) : null;
  const canManage = me.capabilities['callFlows.manage'];

  /** Leaving a flow with unsaved changes asks first. */
  const open = (target: number | 'new' | null) => {
    if (String(target) === id) return;
    if (!dirty.current) return navigate('flows', target);
    modals.openConfirmModal({
      title: 'Leave without saving?',
      children: <Text size="sm">Your changes to this call flow are not saved yet. They will be lost.</Text>,
      labels: { confirm: 'Discard changes', cancel: 'Keep editing' },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        dirty.current = false;
        navigate('flows', target);
      },
    });
  };

  const ready = !groups.isLoading && !users.isLoading && !numbers.isLoading;
  let editor;
  if (isNew || selected) {
    editor = ready ? (
      <FlowEditor
        key={isNew ? 'new' : selected?.id}
        flow={selected}
        me={me}
        numbers={numbers.data ?? []}
        groups={groups.data ?? []}
        users={users.data ?? []}
        names={names}
        onDirtyChange={onDirtyChange}
      />
    ) : (
      <Center style={{ flex: 1 }}>
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  } else if (id && (flows.isFetching || flows.isLoading)) {
    editor = (
      <Center style={{ flex: 1 }}>
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  } else {
    editor = (
      <Center style={{ flex: 1 }} p="xl">
        <Stack align="center" gap={6} maw={420}>
          <Text fw={600}>{id ? 'That call flow no longer exists.' : 'Choose a call flow'}</Text>
          <Text size="sm" c="dimmed" ta="center">
            A call flow is the path an inbound call takes: a greeting, business hours, a menu, then the groups or people
            it rings and where voicemail goes. Each business number rings into one flow.
          </Text>
          {canManage && (
            <Button mt="sm" variant="light" leftSection={<IconPlus size={14} />} onClick={() => open('new')}>
              New call flow
            </Button>
          )}
        </Stack>
      </Center>
    );
  }

  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <Box
        w={{ base: 240, xl: 300 }}
        style={{
          display: 'flex',
          flexDirection: 'column',
          borderRight: '1px solid var(--mantine-color-default-border)',
          flexShrink: 0,
        }}
      >
        <PageHeader
          title="Call flows"
          actions={
            canManage && (
              <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => open('new')}>
                New flow
              </Button>
            )
          }
        />
        <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
          <QueryState
            loading={flows.isLoading}
            error={flows.error}
            onRetry={flows.refetch}
            empty={list.length === 0 && !isNew}
            emptyTitle="No call flows yet"
            emptyText="Create one, then route a business number to it."
          >
            <nav aria-label="Call flows">
              {isNew && (
                <Box
                  px="md"
                  py={10}
                  style={{
                    borderBottom: '1px solid var(--mantine-color-default-border)',
                    background: 'var(--mantine-primary-color-light)',
                  }}
                >
                  <Text size="sm" fw={600} fs="italic">
                    New call flow
                  </Text>
                  <Text size="xs" c="dimmed">
                    Not saved yet
                  </Text>
                </Box>
              )}
              {list.map((f) => (
                <FlowRow
                  key={f.id}
                  flow={f}
                  numbers={numbers.data ?? []}
                  names={names}
                  selected={f.id === selected?.id}
                  onOpen={() => open(f.id)}
                />
              ))}
            </nav>
          </QueryState>
        </ScrollArea>
      </Box>
      {editor}
    </Box>
  );
};

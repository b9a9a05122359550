import { ActionIcon, Badge, Group, Select, Stack, Text, Tooltip } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconPhone, IconX } from '@tabler/icons-react';
import type { BusinessNumber, CallFlow } from '../../../../shared/api/entities';
import { notifyError, notifySaved } from '../../ui/notify';
import { useRouteNumberMutation } from '../numbers/api';

const numberName = (n: BusinessNumber) => (n.label ? `${n.label} · ${n.formatted}` : n.formatted);

/** The business numbers that ring into a flow, and (for those who manage numbers) routing them here or away. */
export function FlowNumbers(props: {
  flow: CallFlow | null;
  numbers: readonly BusinessNumber[];
  canRoute: boolean;
  readOnly: boolean;
}) {
  const { flow, numbers } = props;
  const [route, routing] = useRouteNumberMutation();
  if (!flow) {
    return (
      <Text size="sm" c="dimmed">
        Save the flow first; then business numbers can be routed to it.
      </Text>
    );
  }
  const mine = numbers.filter((n) => flow.bnIds.includes(n.id));
  const hidden = flow.hiddenBnCount;
  const others = numbers.filter((n) => n.callFlowId !== flow.id);
  const canRoute = props.canRoute && !props.readOnly;

  async function routeTo(n: BusinessNumber, callFlowId: number | null) {
    const r = await route({ bnId: n.id, callFlowId });
    if ('error' in r) return notifyError(r.error, 'Not routed');
    notifySaved(
      callFlowId === null
        ? `${n.formatted} no longer rings into ${flow?.name}.`
        : `${n.formatted} now rings into ${flow?.name}.`,
    );
  }
  function askRoute(value: string | null) {
    const n = others.find((x) => String(x.id) === value);
    if (!n) return;
    if (!n.callFlowId) return void routeTo(n, flow?.id ?? null);
    modals.openConfirmModal({
      title: `Move ${n.formatted} to ${flow?.name}?`,
      children: (
        <Text size="sm">
          Calls to {numberName(n)} go through <b>{n.callFlowName}</b> today. After the move they go through{' '}
          <b>{flow?.name}</b>, and who can see those calls changes with it.
        </Text>
      ),
      labels: { confirm: 'Move the number', cancel: 'Cancel' },
      onConfirm: () => void routeTo(n, flow?.id ?? null),
    });
  }

  return (
    <Stack gap={6}>
      {mine.length === 0 && hidden === 0 ? (
        <Text size="sm" c="dimmed">
          No business number rings into this flow yet, so it gets no calls.
        </Text>
      ) : (
        <Group gap={6}>
          {mine.map((n) => (
            <Badge
              key={n.id}
              size="lg"
              variant="light"
              color="indigo"
              tt="none"
              leftSection={<IconPhone size={12} />}
              rightSection={
                canRoute ? (
                  <Tooltip label="Stop routing this number here">
                    <ActionIcon
                      size="xs"
                      variant="transparent"
                      color="indigo"
                      aria-label={`Stop routing ${n.formatted} to ${flow.name}`}
                      loading={routing.isLoading && routing.originalArgs?.bnId === n.id}
                      onClick={() => void routeTo(n, null)}
                    >
                      <IconX size={12} />
                    </ActionIcon>
                  </Tooltip>
                ) : undefined
              }
            >
              {numberName(n)}
            </Badge>
          ))}
          {hidden > 0 && (
            <Text size="xs" c="dimmed">
              {mine.length > 0 ? 'and ' : ''}
              {hidden} number{hidden > 1 ? 's' : ''} outside your access
            </Text>
          )}
        </Group>
      )}
      {canRoute && others.length > 0 && (
        <Select
          size="xs"
          w={340}
          aria-label="Route a business number to this flow"
          placeholder="Route a number here…"
          data={others.map((n) => ({
            value: String(n.id),
            label: `${numberName(n)}${n.callFlowName ? ` (now ${n.callFlowName})` : ''}`,
          }))}
          value={null}
          onChange={askRoute}
          disabled={routing.isLoading}
        />
      )}
    </Stack>
  );
}

import {
  ActionIcon,
  Box,
  Button,
  Group,
  Menu,
  ScrollArea,
  Select,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { IconArrowRight, IconBuildingBroadcastTower, IconDots, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { BusinessNumber, CallFlow } from '../../../../shared/api/entities';
import { href, navigate } from '../../app/router';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { notifyError, notifySaved } from '../../ui/notify';
import { useCallFlowsQuery, useNumbersQuery } from '../directory/api';
import { useRouteNumberMutation } from './api';
import { AddNumbers } from './AddNumbers';
import { BuyNumber } from './BuyNumber';
import { LabelDialog, ReleaseDialog, TrunkDialog } from './NumberDialogs';
import { NumberRecordingDialog } from '../recordings/RecordingSettings';

const NONE = 'none';
const planName = { basic: 'Basic', business: 'Business', company: 'Company' } as const;

function RouteSelect(props: { number: BusinessNumber; flows: readonly CallFlow[]; disabled: boolean }) {
  const n = props.number;
  const [route, routing] = useRouteNumberMutation();
  async function change(value: string | null) {
    const callFlowId = !value || value === NONE ? null : Number(value);
    if (callFlowId === n.callFlowId) return;
    const r = await route({ bnId: n.id, callFlowId });
    if ('error' in r) return notifyError(r.error, 'Not routed');
    notifySaved(
      r.data.callFlowName
        ? `${n.formatted} now rings into ${r.data.callFlowName}.`
        : `${n.formatted} is no longer routed to a call flow.`,
    );
  }
  return (
    <Select
      size="xs"
      w={210}
      aria-label={`Call flow for ${n.formatted}`}
      data={[
        { value: NONE, label: 'Not routed (takes no calls)' },
        ...props.flows.map((f) => ({ value: String(f.id), label: f.name })),
      ]}
      value={n.callFlowId ? String(n.callFlowId) : NONE}
      onChange={change}
      allowDeselect={false}
      disabled={props.disabled || routing.isLoading}
    />
  );
}

export const NumbersPage: PageComponent = ({ me }) => {
  const numbers = useNumbersQuery();
  const flows = useCallFlowsQuery();
  const [buying, setBuying] = useState(false);
  const [adding, setAdding] = useState(false);
  const [labelling, setLabelling] = useState<BusinessNumber | null>(null);
  const [trunking, setTrunking] = useState<BusinessNumber | null>(null);
  const [releasing, setReleasing] = useState<BusinessNumber | null>(null);
  const [recording, setRecording] = useState<BusinessNumber | null>(null);
  const canManage = me.capabilities['numbers.manage'];
  const canOpenFlows = me.capabilities['callFlows.manage'];
  const isAdmin = me.capabilities['carrier.manage'];
  const demo = me.account.demo;
  const list = numbers.data ?? [];

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader
        title="Business numbers"
        description={
          numbers.data
            ? `${list.length} number${list.length === 1 ? '' : 's'} on the ${planName[me.account.plan]} plan. Each rings into the call flow it is routed to.`
            : undefined
        }
        actions={
          <>
            {isAdmin && (
              <Button
                size="xs"
                variant="default"
                component="a"
                href={href('carrier')}
                leftSection={<IconBuildingBroadcastTower size={14} />}
              >
                Carrier
              </Button>
            )}
            {canManage && demo && (
              <Button size="xs" variant="light" onClick={() => setBuying(true)}>
                Buy a demo number
              </Button>
            )}
            {canManage && (
              <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)}>
                Add numbers
              </Button>
            )}
          </>
        }
      />
      <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <QueryState
          loading={numbers.isLoading}
          error={numbers.error}
          onRetry={numbers.refetch}
          empty={list.length === 0}
          emptyTitle="No business numbers yet"
          emptyText="Add the numbers your carrier gave you, then route each to a call flow so it can take calls."
        >
          {/* Fixed columns: a long label without spaces is cut with an ellipsis (its full text in the tooltip) instead of pushing the table wider than the page. */}
          <Table
            verticalSpacing="sm"
            horizontalSpacing="lg"
            highlightOnHover
            aria-label="Business numbers"
            layout="fixed"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={190}>Number</Table.Th>
                <Table.Th>Label</Table.Th>
                <Table.Th w={160}>Trunk</Table.Th>
                <Table.Th w="36%">Call flow</Table.Th>
                <Table.Th w={60}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((n) => (
                <Table.Tr key={n.id}>
                  <Table.Td>
                    <Text size="sm" fw={600} className="tabular" style={{ whiteSpace: 'nowrap' }}>
                      {n.formatted}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {n.label ? (
                      <Text size="sm" truncate="end" title={n.label}>
                        {n.label}
                      </Text>
                    ) : (
                      <Text size="sm" c="dimmed">
                        No label
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {n.trunkName ? (
                      <Text size="sm" truncate="end" title={n.trunkName}>
                        {n.trunkName}
                      </Text>
                    ) : (
                      <Text size="sm" c="dimmed">
                        {demo ? 'Demo number' : 'No trunk'}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <RouteSelect number={n} flows={flows.data ?? []} disabled={!canManage} />
                      {canOpenFlows && n.callFlowId && (
                        <Tooltip label={`Open ${n.callFlowName}`}>
                          <ActionIcon
                            variant="subtle"
                            aria-label={`Open the call flow ${n.callFlowName}`}
                            onClick={() => navigate('flows', n.callFlowId)}
                          >
                            <IconArrowRight size={16} />
                          </ActionIcon>
                        </Tooltip>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {canManage && (
                      <Menu position="bottom-end">
                        <Menu.Target>
                          <ActionIcon variant="subtle" aria-label={`More for ${n.formatted}`}>
                            <IconDots size={16} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item onClick={() => setLabelling(n)}>Change label</Menu.Item>
                          {isAdmin && <Menu.Item onClick={() => setTrunking(n)}>Trunk…</Menu.Item>}
                          <Menu.Item onClick={() => setRecording(n)}>Call recording…</Menu.Item>
                          <Menu.Item color="red" onClick={() => setReleasing(n)}>
                            Release number…
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </QueryState>
      </ScrollArea>
      {buying && <BuyNumber opened onClose={() => setBuying(false)} />}
      {adding && <AddNumbers numbers={list} seesTrunks={isAdmin} onClose={() => setAdding(false)} />}
      {labelling && <LabelDialog key={labelling.id} number={labelling} onClose={() => setLabelling(null)} />}
      {trunking && <TrunkDialog key={trunking.id} number={trunking} onClose={() => setTrunking(null)} />}
      {recording && <NumberRecordingDialog key={recording.id} number={recording} onClose={() => setRecording(null)} />}
      {releasing && (
        <ReleaseDialog key={releasing.id} number={releasing} demo={demo} onClose={() => setReleasing(null)} />
      )}
    </Box>
  );
};

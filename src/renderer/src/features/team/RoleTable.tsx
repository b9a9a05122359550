import { Badge, Modal, Table, Text } from '@mantine/core';
import { IconCheck, IconKey, IconMinus } from '@tabler/icons-react';
import type { Role } from '../../../../shared/primitives';
import { QueryState } from '../../ui/QueryState';
import { roleLabel } from '../../ui/format';
import { roleOrder } from './access';
import { useRoleTableQuery } from './api';

const markWords = { yes: 'Yes', no: 'No', permission: 'With a permission' } as const;

/**
 * What each role may do, side by side (POLICY.md §2). The rows come from the
 * main process, which works them out by asking its own policy rules, so this
 * table cannot drift from what the console actually allows.
 */
export function RoleTable(props: { highlight?: Role; onClose: () => void }) {
  const q = useRoleTableQuery();
  return (
    <Modal opened onClose={props.onClose} title="Compare roles" size="xl">
      <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
        <Table withTableBorder verticalSpacing="xs" aria-label="What each role can do" layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="34%">Capability</Table.Th>
              {roleOrder.map((r) => (
                <Table.Th key={r} bg={r === props.highlight ? 'var(--mantine-primary-color-light)' : undefined}>
                  {roleLabel[r]}
                  {r === props.highlight && (
                    <Badge size="xs" ml={6} variant="light">
                      Chosen
                    </Badge>
                  )}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(q.data ?? []).map((row) => (
              <Table.Tr key={row.capability}>
                <Table.Th scope="row" fw={500} fz="sm">
                  {row.label}
                </Table.Th>
                {roleOrder.map((r) => {
                  const c = row.cells[r];
                  return (
                    <Table.Td key={r} bg={r === props.highlight ? 'var(--mantine-primary-color-light)' : undefined}>
                      <Text
                        size="sm"
                        fw={600}
                        c={c.mark === 'yes' ? 'teal.9' : c.mark === 'no' ? 'gray.7' : 'indigo.9'}
                        span
                      >
                        {c.mark === 'yes' ? (
                          <IconCheck size={14} aria-hidden style={{ verticalAlign: -2 }} />
                        ) : c.mark === 'no' ? (
                          <IconMinus size={14} aria-hidden style={{ verticalAlign: -2 }} />
                        ) : (
                          <IconKey size={14} aria-hidden style={{ verticalAlign: -2 }} />
                        )}{' '}
                        {markWords[c.mark]}
                      </Text>
                      {c.note && (
                        <Text size="xs" c="dimmed">
                          {c.note}
                        </Text>
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed" mt="sm">
          A Manager’s permissions are set by an Administrator on the Manager’s card; new Managers start with the
          standard ones.
        </Text>
      </QueryState>
    </Modal>
  );
}

import { Alert, Badge, Box, Divider, Group, Paper, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { formatDateTime } from '../../ui/format';
import { useUsersQuery } from '../directory/api';
import { useAccountQuery } from './api';
import { CancelAccount, TransferOwnership } from './AccountActions';
import { AccountRecordingSettings } from '../recordings/RecordingSettings';

const planName = { basic: 'Basic', business: 'Business', company: 'Company' } as const;

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">
        {props.label}
      </Text>
      <Box fz="sm">{props.children}</Box>
    </Stack>
  );
}

export const AccountPage: PageComponent = ({ me }) => {
  const q = useAccountQuery();
  const admins = useUsersQuery({ role: 'administrator' });
  const a = q.data;
  const canTransfer = me.capabilities['account.transferOwnership'];
  const canCancel = me.capabilities['account.cancel'];
  const candidates = (admins.data ?? []).filter((u) => u.active && u.id !== me.user.id);

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader title="Account" description="The company account everyone on the team signs in to." />
      <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
          {a && (
            <Stack p="lg" gap="lg" maw={760}>
              <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md">
                <Fact label="Account name">
                  <Text fw={600}>{a.name}</Text>
                </Fact>
                <Fact label="Plan">{planName[a.plan]}</Fact>
                <Fact label="Owner">
                  {a.ownerName}
                  {a.ownerUserId === me.user.id ? ' (you)' : ''}
                </Fact>
                <Fact label="Status">
                  {a.status === 'active' ? (
                    <Badge color="teal">Active</Badge>
                  ) : (
                    <Stack gap={2}>
                      <Badge color="red">Cancelled</Badge>
                      {a.cancelledAt && (
                        <Text size="xs" c="dimmed">
                          {formatDateTime(a.cancelledAt)}
                        </Text>
                      )}
                    </Stack>
                  )}
                </Fact>
              </SimpleGrid>

              <Divider />
              <Stack gap="xs" component="section" aria-labelledby="transfer-title">
                <Title order={2} fz="lg" id="transfer-title">
                  Ownership
                </Title>
                <Text size="sm" c="dimmed">
                  The owner is the Administrator who can never be demoted or deactivated, so the account always keeps
                  someone in charge.
                </Text>
                {a.status === 'cancelled' ? (
                  <Text size="sm">The account is cancelled, so ownership cannot change.</Text>
                ) : canTransfer ? (
                  <QueryState loading={admins.isLoading} error={admins.error} onRetry={admins.refetch}>
                    <TransferOwnership account={a} candidates={candidates} />
                  </QueryState>
                ) : (
                  <Text size="sm">Only the owner, {a.ownerName}, can transfer ownership.</Text>
                )}
              </Stack>

              <Divider />
              <Stack gap="xs" component="section" aria-labelledby="recordings-title">
                <Title order={2} fz="lg" id="recordings-title">
                  Call recordings
                </Title>
                <Text size="sm" c="dimmed">
                  Which calls are recorded is set on each business number and call flow. Here: how long recordings are
                  kept, and whether calls between team members are recorded.
                </Text>
                <AccountRecordingSettings />
              </Stack>

              <Divider />
              <Paper
                withBorder
                p="md"
                component="section"
                aria-labelledby="cancel-title"
                style={{ borderColor: 'var(--mantine-color-red-6)' }}
              >
                <Stack gap="xs">
                  <Title order={2} fz="lg" id="cancel-title" c="red">
                    {a.status === 'cancelled' ? 'Account cancelled' : 'Cancel the account'}
                  </Title>
                  {a.status === 'cancelled' ? (
                    <Alert color="red" variant="light">
                      This account was cancelled{a.cancelledAt ? ` on ${formatDateTime(a.cancelledAt)}` : ''}. It is
                      read-only for everyone.
                    </Alert>
                  ) : (
                    <>
                      <Text size="sm">
                        Cancelling makes the account read-only for everyone: people can still sign in and look back at
                        the history, but nobody can place calls, send messages or change anything.
                      </Text>
                      {canCancel ? (
                        <Group>
                          <CancelAccount account={a} />
                        </Group>
                      ) : (
                        <Text size="sm" c="dimmed">
                          Only an Administrator can cancel the account.
                        </Text>
                      )}
                    </>
                  )}
                </Stack>
              </Paper>
            </Stack>
          )}
        </QueryState>
      </ScrollArea>
    </Box>
  );
};

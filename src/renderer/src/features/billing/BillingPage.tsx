import { Badge, Box, Button, Divider, List, Paper, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { Plan } from '../../../../shared/primitives';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { useBillingQuery } from './api';
import { BillingForm } from './BillingForm';
import { PlanChange, planName } from './PlanChange';

const plans: Plan[] = ['basic', 'business', 'company'];

/** What each plan includes (docs/policy-decisions.md, "Plan limits"); the main process enforces them. */
const planFeatures: Record<Plan, string[]> = {
  basic: [
    'Up to 10 active users and 3 business numbers',
    'Administrators and Agents only',
    'Agents see their calling groups’ calls',
  ],
  business: [
    'Up to 100 active users and 25 business numbers',
    'Managers with chosen permissions',
    'Call access by group, call flow or number',
  ],
  company: [
    'Up to 5,000 active users and 500 business numbers',
    'Everything in Business',
    'For larger and multi-site teams',
  ],
};

function PlanCard(props: { plan: Plan; current: boolean; canChange: boolean; onChoose: () => void }) {
  const { plan } = props;
  return (
    <Paper
      withBorder
      p="md"
      component="section"
      aria-label={`${planName[plan]} plan${props.current ? ' (current)' : ''}`}
      style={props.current ? { borderColor: 'var(--mantine-primary-color-filled)', borderWidth: 2 } : undefined}
    >
      <Stack gap="xs" h="100%">
        <Box style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
          <Title order={3} fz="lg">
            {planName[plan]}
          </Title>
          {props.current && <Badge>Current plan</Badge>}
        </Box>
        <List size="sm" spacing={4} style={{ flex: 1 }}>
          {planFeatures[plan].map((f) => (
            <List.Item key={f}>{f}</List.Item>
          ))}
        </List>
        {!props.current && props.canChange && (
          <Button variant="light" onClick={props.onChoose}>
            Change to {planName[plan]}…
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

export const BillingPage: PageComponent = ({ me }) => {
  const q = useBillingQuery();
  const [target, setTarget] = useState<Plan | null>(null);
  const canChange = me.capabilities['plan.change'];
  const b = q.data;

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader title="Billing" description="The account’s plan, and who receives invoices." />
      <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <QueryState loading={q.isLoading} error={q.error} onRetry={q.refetch}>
          {b && (
            <Stack p="lg" gap="lg">
              <Stack gap="xs">
                <Title order={2} fz="lg">
                  Plan
                </Title>
                <Text size="sm" c="dimmed">
                  {canChange
                    ? 'Changing the plan can change people’s roles and access; you will see exactly how before you confirm.'
                    : 'Only an Administrator can change the plan.'}
                </Text>
                <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md" maw={1000}>
                  {plans.map((p) => (
                    <PlanCard
                      key={p}
                      plan={p}
                      current={p === b.plan}
                      canChange={canChange}
                      onChoose={() => setTarget(p)}
                    />
                  ))}
                </SimpleGrid>
              </Stack>
              <Divider />
              <BillingForm key={JSON.stringify(b)} billing={b} readOnly={!me.capabilities['billing.manage']} />
            </Stack>
          )}
        </QueryState>
      </ScrollArea>
      {target && b && <PlanChange key={target} from={b.plan} to={target} onClose={() => setTarget(null)} />}
    </Box>
  );
};

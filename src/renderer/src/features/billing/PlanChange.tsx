import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import type { Plan } from '../../../../shared/primitives';
import { QueryState } from '../../ui/QueryState';
import { notifyError, notifySaved } from '../../ui/notify';
import { useChangePlanMutation, usePreviewPlanChangeQuery } from './api';

export const planName: Record<Plan, string> = { basic: 'Basic', business: 'Business', company: 'Company' };

/** Shows what a plan change does to roles and access (from the main process), then asks to confirm it. */
export function PlanChange(props: { from: Plan; to: Plan; onClose: () => void }) {
  const preview = usePreviewPlanChangeQuery(props.to);
  const [change, changing] = useChangePlanMutation();
  const [refusal, setRefusal] = useState<string | null>(null);
  const downgrade = props.to === 'basic';

  async function confirm() {
    const r = await change(props.to);
    if ('error' in r) {
      setRefusal((r.error as { message?: string }).message ?? 'Something went wrong.');
      return notifyError(r.error, 'Plan not changed');
    }
    notifySaved(`The account is now on the ${planName[r.data.plan]} plan.`);
    props.onClose();
  }

  return (
    <Modal
      opened
      onClose={props.onClose}
      title={`Change from ${planName[props.from]} to ${planName[props.to]}?`}
      size="lg"
    >
      <Stack gap="sm">
        <Text size="sm">What changes for your team:</Text>
        <QueryState loading={preview.isLoading} error={preview.error} onRetry={preview.refetch}>
          <List size="sm" spacing={6} aria-label="Effects of the plan change">
            {(preview.data?.effects ?? []).map((e, i) => (
              <List.Item key={i}>{e}</List.Item>
            ))}
          </List>
          {(preview.data?.blockers ?? []).length > 0 && (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlertTriangle size={16} />}
              title="This change cannot be made yet"
              py={8}
            >
              <List size="sm" spacing={4}>
                {preview.data?.blockers.map((b, i) => (
                  <List.Item key={i}>{b}</List.Item>
                ))}
              </List>
            </Alert>
          )}
        </QueryState>
        {downgrade && (
          <Text size="sm" c="dimmed">
            Moving back up later does not restore roles or call access: an Administrator sets them again.
          </Text>
        )}
        {refusal && (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle size={16} />}
            role="alert"
            title="The plan was not changed"
            py={8}
          >
            {refusal}
          </Alert>
        )}
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            color={downgrade ? 'red' : undefined}
            onClick={confirm}
            loading={changing.isLoading}
            disabled={!preview.data || preview.data.blockers.length > 0}
          >
            Change to {planName[props.to]}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

import {
  ActionIcon,
  Badge,
  Box,
  Button,
  Group,
  Menu,
  Paper,
  ScrollArea,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconDots, IconPlugConnected, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { Integration } from '../../../../shared/api/entities';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { formatDateTime } from '../../ui/format';
import { notifyError, notifySaved } from '../../ui/notify';
import { useDeleteIntegrationMutation, useIntegrationsQuery } from './api';
import { IntegrationForm, providerName } from './IntegrationForm';

const providerColor: Record<Integration['provider'], string> = {
  hubspot: 'orange',
  salesforce: 'blue',
  zoho: 'red',
  pipedrive: 'green',
};

function Setting(props: { on: boolean; label: string }) {
  return (
    <Badge color={props.on ? 'teal' : 'gray'} variant={props.on ? 'light' : 'outline'} tt="none">
      {props.label}: {props.on ? 'on' : 'off'}
    </Badge>
  );
}

function IntegrationCard(props: {
  integration: Integration;
  canManage: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const i = props.integration;
  return (
    <Paper withBorder p="md" component="article" aria-label={`${providerName[i.provider]} integration ${i.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon size={36} variant="light" color={providerColor[i.provider]} radius="md" aria-hidden>
              <IconPlugConnected size={20} />
            </ThemeIcon>
            <Stack gap={0}>
              <Text fw={600}>{i.name}</Text>
              <Text size="xs" c="dimmed">
                {providerName[i.provider]}
              </Text>
            </Stack>
          </Group>
          {props.canManage && (
            <Menu position="bottom-end">
              <Menu.Target>
                <ActionIcon variant="subtle" aria-label={`More for ${i.name}`}>
                  <IconDots size={16} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={props.onEdit}>Edit</Menu.Item>
                <Menu.Item color="red" onClick={props.onDelete}>
                  Delete…
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {i.settings.instanceUrl}
        </Text>
        <Group gap={6}>
          <Setting on={i.settings.logCalls} label="Log calls" />
          <Setting on={i.settings.logMessages} label="Log messages" />
          <Setting on={i.settings.createContacts} label="Create contacts" />
        </Group>
        <Text size="xs" c="dimmed">
          Set up by {i.createdByName} on {formatDateTime(i.createdAt)}
        </Text>
        {props.canManage && (
          <Group>
            <Button size="xs" variant="default" onClick={props.onEdit} aria-label={`Edit ${i.name}`}>
              Edit
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

export const IntegrationsPage: PageComponent = ({ me }) => {
  const q = useIntegrationsQuery();
  const [remove] = useDeleteIntegrationMutation();
  const [editing, setEditing] = useState<Integration | 'new' | null>(null);
  const canManage = me.capabilities['integrations.manage'];
  const list = q.data ?? [];

  const confirmDelete = (i: Integration) =>
    modals.openConfirmModal({
      title: `Delete ${i.name}?`,
      children: (
        <Text size="sm">
          Teamline stops logging to {providerName[i.provider]} through this integration. What is already in the CRM
          stays there.
        </Text>
      ),
      labels: { confirm: 'Delete integration', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: async () => {
        const r = await remove(i.id);
        if ('error' in r) notifyError(r.error, 'Not deleted');
        else notifySaved(`${i.name} deleted.`);
      },
    });

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader
        title="Integrations"
        description="Connect Teamline to your CRM so calls and messages land on the right customer record."
        actions={
          canManage && (
            <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
              Set up integration
            </Button>
          )
        }
      />
      <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <QueryState
          loading={q.isLoading}
          error={q.error}
          onRetry={q.refetch}
          empty={list.length === 0}
          emptyTitle="No integrations yet"
          emptyText="Set one up for HubSpot, Salesforce, Zoho CRM or Pipedrive."
        >
          <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} p="lg" spacing="md">
            {list.map((i) => (
              <IntegrationCard
                key={i.id}
                integration={i}
                canManage={canManage}
                onEdit={() => setEditing(i)}
                onDelete={() => confirmDelete(i)}
              />
            ))}
          </SimpleGrid>
        </QueryState>
      </ScrollArea>
      {editing && (
        <IntegrationForm
          key={editing === 'new' ? 'new' : editing.id}
          integration={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
    </Box>
  );
};

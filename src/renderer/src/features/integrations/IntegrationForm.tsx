import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { Button, Group, Modal, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Integration } from '../../../../shared/api/entities';
import { useCreateIntegrationMutation, useUpdateIntegrationMutation } from './api';

type Provider = Integration['provider'];

export const providerName: Record<Provider, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  zoho: 'Zoho CRM',
  pipedrive: 'Pipedrive',
};

const urlHint: Record<Provider, string> = {
  hubspot: 'https://app.hubspot.com',
  salesforce: 'https://yourcompany.my.salesforce.com',
  zoho: 'https://crm.zoho.com',
  pipedrive: 'https://yourcompany.pipedrive.com',
};

/** Sets up or edits a CRM integration. It only stores settings: nothing here contacts the CRM. */
export function IntegrationForm(props: { integration: Integration | null; onClose: () => void }) {
  const i = props.integration;
  const [provider, setProvider] = useState<Provider>(i?.provider ?? 'hubspot');
  const [name, setName] = useState(i?.name ?? '');
  const [instanceUrl, setInstanceUrl] = useState(i?.settings.instanceUrl ?? '');
  const [logCalls, setLogCalls] = useState(i?.settings.logCalls ?? true);
  const [logMessages, setLogMessages] = useState(i?.settings.logMessages ?? false);
  const [createContacts, setCreateContacts] = useState(i?.settings.createContacts ?? false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [create, creating] = useCreateIntegrationMutation();
  const [update, updating] = useUpdateIntegrationMutation();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Give the integration a name, e.g. “Sales CRM”.';
    if (!/^https:\/\/\S+$/i.test(instanceUrl.trim()))
      local['settings.instanceUrl'] = 'Use an https:// address, e.g. ' + urlHint[provider];
    if (Object.keys(local).length > 0) return setErrors(local);
    const settings = { instanceUrl: instanceUrl.trim(), logCalls, logMessages, createContacts };
    const r = i
      ? await update({ integrationId: i.id, name: name.trim(), settings })
      : await create({ provider, name: name.trim(), settings });
    if ('error' in r) {
      setErrors(fieldErrors(r.error));
      return notifyError(r.error);
    }
    notifySaved(i ? `${r.data.name} saved.` : `${r.data.name} is set up.`);
    props.onClose();
  }

  return (
    <Modal opened onClose={props.onClose} title={i ? `Edit ${i.name}` : 'Set up a CRM integration'}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <Select
          label="CRM"
          data={(Object.keys(providerName) as Provider[]).map((p) => ({ value: p, label: providerName[p] }))}
          value={provider}
          onChange={(v) => v && setProvider(v as Provider)}
          allowDeselect={false}
          disabled={i !== null}
          description={i ? 'To switch CRM, set up a new integration and delete this one.' : undefined}
          error={errors.provider}
        />
        <TextInput
          label="Name"
          placeholder={`e.g. ${providerName[provider]} for Sales`}
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          withAsterisk
          data-autofocus
        />
        <TextInput
          label="Instance address"
          description="The web address your team uses to open the CRM."
          placeholder={urlHint[provider]}
          inputMode="url"
          value={instanceUrl}
          maxLength={200}
          onChange={(e) => setInstanceUrl(e.currentTarget.value)}
          error={errors['settings.instanceUrl'] ?? errors.settings}
          withAsterisk
        />
        <Stack gap={8} mt={4}>
          <Switch
            label="Log calls"
            description="Add each call to the matching CRM record."
            checked={logCalls}
            onChange={(e) => setLogCalls(e.currentTarget.checked)}
          />
          <Switch
            label="Log messages"
            description="Add text messages to the matching CRM record."
            checked={logMessages}
            onChange={(e) => setLogMessages(e.currentTarget.checked)}
          />
          <Switch
            label="Create contacts"
            description="Create a CRM contact for numbers the CRM does not know yet."
            checked={createContacts}
            onChange={(e) => setCreateContacts(e.currentTarget.checked)}
          />
        </Stack>
        <Text size="xs" c="dimmed">
          Teamline stores these settings for the account; saving does not connect to the CRM.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={creating.isLoading || updating.isLoading}>
            {i ? 'Save integration' : 'Set up integration'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

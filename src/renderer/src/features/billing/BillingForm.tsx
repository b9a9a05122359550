import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { Button, Group, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState, type ChangeEvent, type FormEvent } from 'react';
import type { Billing } from '../../../../shared/api/entities';
import { useUpdateBillingMutation } from './api';

type Fields = Omit<Billing, 'plan'>;
const keys: (keyof Fields)[] = [
  'contactName',
  'contactEmail',
  'addressLine1',
  'addressLine2',
  'city',
  'region',
  'postalCode',
  'country',
];
const pick = (b: Billing): Fields => Object.fromEntries(keys.map((k) => [k, b[k]])) as Fields;

/** The billing contact and address. Remount (key) it when the saved profile changes. */
export function BillingForm(props: { billing: Billing; readOnly: boolean }) {
  const saved = pick(props.billing);
  const [f, setF] = useState<Fields>(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, saving] = useUpdateBillingMutation();
  const dirty = keys.some((k) => f[k].trim() !== saved[k]);

  const field = (k: keyof Fields) => ({
    value: f[k],
    error: errors[k],
    disabled: props.readOnly,
    onChange: (e: ChangeEvent<HTMLInputElement>) => {
      const v = e.currentTarget.value;
      setF((prev) => ({ ...prev, [k]: k === 'country' ? v.toUpperCase() : v }));
      setErrors(({ [k]: _, ...rest }) => rest);
    },
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const trimmed = Object.fromEntries(keys.map((k) => [k, f[k].trim()])) as Fields;
    const r = await save(trimmed);
    if ('error' in r) {
      setErrors(fieldErrors(r.error));
      return notifyError(r.error);
    }
    notifySaved('Billing information saved.');
  }

  return (
    <Stack
      component="form"
      {...noNativeValidation}
      onSubmit={submit}
      gap="sm"
      aria-label="Billing contact and address"
      maw={640}
    >
      <Title order={3} fz="md">
        Billing contact
      </Title>
      <SimpleGrid cols={2} spacing="sm">
        <TextInput label="Name" autoComplete="name" maxLength={120} withAsterisk {...field('contactName')} />
        <TextInput
          label="Email"
          type="email"
          autoComplete="email"
          maxLength={254}
          withAsterisk
          description="Invoices and receipts go here."
          {...field('contactEmail')}
        />
      </SimpleGrid>
      <Title order={3} fz="md" mt="sm">
        Billing address
      </Title>
      <TextInput
        label="Address line 1"
        autoComplete="address-line1"
        maxLength={120}
        withAsterisk
        {...field('addressLine1')}
      />
      <TextInput label="Address line 2" autoComplete="address-line2" maxLength={120} {...field('addressLine2')} />
      <SimpleGrid cols={2} spacing="sm">
        <TextInput label="City" autoComplete="address-level2" maxLength={80} withAsterisk {...field('city')} />
        <TextInput label="State or region" autoComplete="address-level1" maxLength={80} {...field('region')} />
        <TextInput
          label="Postal code"
          autoComplete="postal-code"
          maxLength={20}
          withAsterisk
          {...field('postalCode')}
        />
        <TextInput
          label="Country"
          description="Two-letter code, e.g. US, GB, DE"
          autoComplete="country"
          maxLength={2}
          withAsterisk
          {...field('country')}
        />
      </SimpleGrid>
      {!props.readOnly && (
        <Group justify="flex-end" gap="xs">
          {dirty && (
            <Button variant="default" onClick={() => (setF(saved), setErrors({}))}>
              Discard changes
            </Button>
          )}
          <Button type="submit" loading={saving.isLoading} disabled={!dirty}>
            Save billing information
          </Button>
        </Group>
      )}
    </Stack>
  );
}

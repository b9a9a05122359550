import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { Alert, Box, Button, Group, Modal, Radio, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconSearch } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { QueryState } from '../../ui/QueryState';
import { useBuyNumberMutation, useNumberCatalogueQuery } from './api';

const price = (cents: number) => `$${(cents / 100).toFixed(2)} a month`;

/** Picks a number from the catalogue (by area code or any digits) and buys it with a label. */
export function BuyNumber(props: { opened: boolean; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [choice, setChoice] = useState<string | null>(null);
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const catalogue = useNumberCatalogueQuery(search);
  const [buy, buying] = useBuyNumberMutation();

  useEffect(() => {
    const t = window.setTimeout(() => setSearch(typed.replace(/[^\d]/g, '').slice(0, 15)), 250);
    return () => window.clearTimeout(t);
  }, [typed]);

  const list = catalogue.data ?? [];
  const chosen = list.find((n) => n.e164 === choice) ?? null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!chosen) return setErrors({ e164: 'Choose a number from the list.' });
    const r = await buy({ e164: chosen.e164, label: label.trim() });
    if ('error' in r) {
      setErrors(fieldErrors(r.error));
      setRefusal((r.error as { message?: string }).message ?? 'Something went wrong.');
      return notifyError(r.error, 'Not bought');
    }
    notifySaved(`${r.data.formatted} is yours. Route it to a call flow so it can take calls.`);
    props.onClose();
  }

  return (
    <Modal opened={props.opened} onClose={props.onClose} title="Buy a demo number" size="lg">
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <Alert color="grape" variant="light" py={8}>
          Demo data: this catalogue belongs to the demo account and its numbers are not real. A real account adds the
          numbers its carrier gives it (Add numbers).
        </Alert>
        <TextInput
          label="Search the available numbers"
          description="An area code (e.g. 212) or any digits the number should contain."
          placeholder="212"
          leftSection={<IconSearch size={14} />}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          error={errors.search}
          data-autofocus
        />
        <Box style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8 }}>
          <ScrollArea h={260}>
            <QueryState
              loading={catalogue.isLoading}
              error={catalogue.error}
              onRetry={catalogue.refetch}
              empty={list.length === 0}
              emptyTitle="No numbers available"
              emptyText={search ? 'Try another area code, or fewer digits.' : 'The catalogue is empty right now.'}
            >
              <Radio.Group
                value={choice}
                onChange={(v) => (setChoice(v), setErrors({}), setRefusal(null))}
                aria-label="Available numbers"
                error={errors.e164}
                p="sm"
              >
                <Stack gap={8}>
                  {list.map((n) => (
                    <Radio
                      key={n.e164}
                      value={n.e164}
                      label={
                        <Group gap="sm" wrap="nowrap">
                          <Text size="sm" fw={600} className="tabular" w={150}>
                            {n.formatted}
                          </Text>
                          <Text size="sm" w={170}>
                            {n.region}
                          </Text>
                          <Text size="sm" c="dimmed">
                            {price(n.monthlyCents)}
                          </Text>
                        </Group>
                      }
                    />
                  ))}
                </Stack>
              </Radio.Group>
            </QueryState>
          </ScrollArea>
        </Box>
        {list.length >= 100 && (
          <Text size="xs" c="dimmed">
            Showing the first 100 matches; type more digits to narrow them.
          </Text>
        )}
        <TextInput
          label="Label"
          description="What the team calls this number, e.g. “Sales line”. You can change it later."
          value={label}
          maxLength={80}
          onChange={(e) => setLabel(e.currentTarget.value)}
          error={errors.label}
        />
        {refusal && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert" py={8}>
            {refusal}
          </Alert>
        )}
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {chosen ? `${chosen.formatted} · ${price(chosen.monthlyCents)}` : 'No number chosen yet'}
          </Text>
          <Group gap="xs">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={buying.isLoading} disabled={!chosen}>
              Buy number
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}

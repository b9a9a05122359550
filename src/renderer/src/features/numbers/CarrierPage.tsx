import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  List,
  Loader,
  Menu,
  Modal,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconAlertTriangle, IconArrowLeft, IconDots, IconPlus } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { emergencyNumbers, type Trunk, type TrunkState } from '../../../../shared/api/carrier';
import { href } from '../../app/router';
import type { PageComponent } from '../../app/sections';
import { formatDateTime, formatWhen } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { useNumbersQuery } from '../directory/api';
import {
  useCarrierQuery,
  useDeleteTrunkMutation,
  useSaveCarrierSettingsMutation,
  useTestTrunkMutation,
} from './carrierApi';
import { roleText, TrunkForm } from './TrunkForm';

type Status = TrunkState['status'];

/** What each live state reads as, and its colour (light and dark themes both carry these badge colours). */
export const statusText: Record<Status, { label: string; color: string }> = {
  registered: { label: 'Registered', color: 'teal' },
  registering: { label: 'Registering…', color: 'blue' },
  failing: { label: 'Failing', color: 'red' },
  unreachable: { label: 'Unreachable', color: 'orange' },
  allowlist: { label: 'Not registering (allow-list only)', color: 'gray' },
  off: { label: 'Phone service off', color: 'gray' },
};

const roleHelp: Record<Trunk['role'], string> = {
  preferred: 'Outside and emergency calls go here first',
  fallback: 'Used when the preferred trunk fails',
  standby: 'No outgoing calls',
};

function StateCell(props: { state: TrunkState }) {
  const s = statusText[props.state.status];
  const answer =
    props.state.status === 'failing' || props.state.status === 'unreachable' ? props.state.lastAnswer : null;
  return (
    <Stack gap={2}>
      <Badge color={s.color} variant="light" radius="sm" style={{ alignSelf: 'flex-start' }}>
        {s.label}
      </Badge>
      {answer && (
        <Text size="xs" c="dimmed">
          {props.state.status === 'failing' ? `The carrier answered “${answer}”` : answer}
        </Text>
      )}
    </Stack>
  );
}

const countries: { value: string; label: string }[] = [
  ['US', 'United States'],
  ['CA', 'Canada'],
  ['GB', 'United Kingdom'],
  ['IE', 'Ireland'],
  ['AU', 'Australia'],
  ['NZ', 'New Zealand'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['NL', 'Netherlands'],
  ['BE', 'Belgium'],
  ['CH', 'Switzerland'],
  ['AT', 'Austria'],
  ['SE', 'Sweden'],
  ['NO', 'Norway'],
  ['DK', 'Denmark'],
  ['FI', 'Finland'],
  ['PL', 'Poland'],
  ['PT', 'Portugal'],
  ['MX', 'Mexico'],
  ['BR', 'Brazil'],
  ['IN', 'India'],
  ['SG', 'Singapore'],
  ['ZA', 'South Africa'],
].map(([value, label]) => ({ value: value!, label: `${label} (${value})` }));

/** The emergency-call settings: the country picks the numbers; the main number is the caller ID of last resort. */
function EmergencySettings(props: { country: string; mainBnId: number | null }) {
  const numbers = useNumbersQuery();
  const [country, setCountry] = useState(props.country);
  const [mainBnId, setMainBnId] = useState<number | null>(props.mainBnId);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, saving] = useSaveCarrierSettingsMutation();
  const dialled = emergencyNumbers(country);
  const known = countries.some((c) => c.value === country);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await save({ country, mainBnId });
    if ('error' in r) {
      setErrors(fieldErrors(r.error));
      return notifyError(r.error, 'Emergency settings not saved');
    }
    setErrors({});
    notifySaved(`Emergency calls: ${r.data.emergencyNumbers.join(', ')} reach the emergency services.`);
  }

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="emergency-title">
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <Title order={2} fz="lg" id="emergency-title">
          Emergency calls
        </Title>
        <Text size="sm">
          Anyone signed in, and every desk phone, can dial the emergency services with no prefix, even without
          permission to call outside. The call goes out on the preferred trunk (then the fallback one). Its caller ID is
          the caller’s default business number, else the main number below. Every Administrator sees a notice at once;
          the call is in the audit log and the call history.
        </Text>
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={16} />} py={8}>
          Ask your carrier to register your street address for every number used as caller ID: that address is what the
          emergency services receive.
        </Alert>
        <Group align="flex-start" gap="md" wrap="wrap">
          <Select
            label="Country"
            w={260}
            data={known ? countries : [{ value: country, label: country }, ...countries]}
            value={country}
            onChange={(v) => v && setCountry(v)}
            allowDeselect={false}
            searchable
            error={errors.country}
          />
          <Select
            label="Main number (caller ID of last resort)"
            w={300}
            placeholder="The oldest number"
            data={(numbers.data ?? []).map((n) => ({
              value: String(n.id),
              label: n.label ? `${n.formatted} · ${n.label}` : n.formatted,
            }))}
            value={mainBnId ? String(mainBnId) : null}
            onChange={(v) => setMainBnId(v ? Number(v) : null)}
            clearable
            error={errors.mainBnId}
          />
        </Group>
        <Text size="sm" aria-live="polite">
          In this country, <b>{dialled.join(', ')}</b> {dialled.length === 1 ? 'reaches' : 'reach'} the emergency
          services.
          {dialled.length === 1 ? ' 112 and 999 stay ordinary numbers.' : ''}
        </Text>
        <Group justify="flex-end">
          <Button
            type="submit"
            loading={saving.isLoading}
            disabled={country === props.country && mainBnId === props.mainBnId}
          >
            Save emergency settings
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** How long the page waits for a test's answer before it reads the state as it stands. */
const TEST_WAIT_MS = 12_000;
const clockNow = () => Date.now();

export const CarrierPage: PageComponent = () => {
  // The last test asked for (cleared when its result is dismissed), and a clock for its deadline.
  const [test, setTest] = useState<{ id: number; at: number; started: number } | null>(null);
  const [clock, setClock] = useState(0);
  const [editing, setEditing] = useState<Trunk | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Trunk | null>(null);
  const [askTest] = useTestTrunkMutation();
  // The state follows carrier.changed: the test's "registering", then the carrier's answer.
  const carrier = useCarrierQuery();
  const trunks = carrier.data?.trunks ?? [];

  // `at` is the server's time the test began (its "registering"), so the clocks need not agree.
  const tt = test ? trunks.find((x) => x.id === test.id) : undefined;
  const settled =
    !!tt &&
    !!test &&
    (tt.registration === null || (tt.state.status !== 'registering' && (tt.state.since ?? 0) >= test.at));
  const timedOut = !!test && clock >= test.started + TEST_WAIT_MS && tt?.state.status !== 'registering';
  const running = !!test && !!tt && !settled && !timedOut;

  useEffect(() => {
    if (!running || !test) return;
    const timer = window.setTimeout(
      () => setClock(clockNow()),
      Math.max(500, test.started + TEST_WAIT_MS - clockNow()),
    );
    return () => window.clearTimeout(timer);
  }, [running, test, clock]);

  async function runTest(trunk: Trunk) {
    const started = clockNow();
    setTest(null);
    const r = await askTest(trunk.id);
    if ('error' in r) return notifyError(r.error, 'Not tested');
    setClock(started);
    setTest({ id: trunk.id, at: r.data.state.since ?? 0, started });
  }

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <Box px="lg" pt="sm">
        <Anchor href={href('numbers')} size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} aria-hidden />
            Business numbers
          </Group>
        </Anchor>
      </Box>
      <PageHeader
        title="Carrier"
        description="The SIP trunks that connect your team to the phone network: calls to and from customers, and emergency calls."
        actions={
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
            Add a trunk
          </Button>
        }
      />
      <ScrollArea style={{ flex: 1, borderTop: '1px solid var(--mantine-color-default-border)' }}>
        <Stack p="lg" gap="lg">
          <QueryState
            loading={carrier.isLoading}
            error={carrier.error}
            onRetry={carrier.refetch}
            empty={trunks.length === 0}
            emptyTitle="No trunk yet"
            emptyText="Add the trunk your carrier set up for you: its SIP server, and the user name and password (or the addresses) it gave you."
          >
            <Stack gap="xs">
              <Box aria-live="polite" role="status">
                {running && tt && (
                  <Group gap="xs">
                    <Loader size="xs" aria-hidden />
                    <Text size="sm">Testing {tt.name}: registering with the carrier…</Text>
                  </Group>
                )}
                {test && tt && !running && (
                  <Alert
                    color={statusText[tt.state.status].color}
                    variant="light"
                    py={8}
                    withCloseButton
                    closeButtonLabel="Dismiss the test result"
                    onClose={() => setTest(null)}
                  >
                    Test of {tt.name}: {statusText[tt.state.status].label}
                    {tt.state.lastAnswer ? ` — ${tt.state.lastAnswer}` : ''}.
                  </Alert>
                )}
              </Box>
              <Table verticalSpacing="sm" horizontalSpacing="md" aria-label="Trunks" layout="fixed">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Trunk</Table.Th>
                    <Table.Th w="28%">State</Table.Th>
                    <Table.Th w={150}>Since</Table.Th>
                    <Table.Th w={190}>Role</Table.Th>
                    <Table.Th w={150}>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {trunks.map((t) => (
                    <Table.Tr key={t.id} data-testid={`trunk-${t.name}`}>
                      <Table.Td>
                        <Text size="sm" fw={600} truncate="end" title={t.name}>
                          {t.name}
                        </Text>
                        <Text size="xs" c="dimmed" truncate="end">
                          {t.host}
                          {t.port ? `:${t.port}` : ' (DNS SRV)'} · {t.transport.toUpperCase()}
                          {t.registration ? ` · user ${t.registration.username}` : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <StateCell state={t.state} />
                      </Table.Td>
                      <Table.Td>
                        {t.state.since ? (
                          <Text size="sm" title={formatDateTime(t.state.since)}>
                            {formatWhen(t.state.since)}
                          </Text>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{roleText[t.role]}</Text>
                        <Text size="xs" c="dimmed">
                          {roleHelp[t.role]}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          <Button
                            size="xs"
                            variant="light"
                            onClick={() => runTest(t)}
                            loading={running && test?.id === t.id}
                            aria-label={`Test ${t.name}`}
                          >
                            Test
                          </Button>
                          <Menu position="bottom-end">
                            <Menu.Target>
                              <ActionIcon variant="subtle" aria-label={`More for ${t.name}`}>
                                <IconDots size={16} />
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>
                              <Menu.Item onClick={() => setEditing(t)}>Edit…</Menu.Item>
                              <Menu.Item color="red" onClick={() => setDeleting(t)}>
                                Remove…
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          </QueryState>
          {carrier.data && (
            <EmergencySettings
              key={`${carrier.data.settings.country}-${carrier.data.settings.mainBnId}`}
              country={carrier.data.settings.country}
              mainBnId={carrier.data.settings.mainBnId}
            />
          )}
        </Stack>
      </ScrollArea>
      {editing && (
        <TrunkForm
          key={editing === 'new' ? 'new' : editing.id}
          trunk={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && <DeleteTrunk trunk={deleting} onClose={() => setDeleting(null)} />}
    </Box>
  );
};

function DeleteTrunk(props: { trunk: Trunk; onClose: () => void }) {
  const t = props.trunk;
  const [remove, removing] = useDeleteTrunkMutation();
  const numbers = useNumbersQuery();
  const onIt = (numbers.data ?? []).filter((n) => n.trunkId === t.id).length;
  const [refusal, setRefusal] = useState<string | null>(null);
  async function confirm() {
    const r = await remove(t.id);
    if ('error' in r) {
      setRefusal((r.error as { message?: string }).message ?? 'The trunk was not removed.');
      return notifyError(r.error, 'Not removed');
    }
    notifySaved(`${t.name} was removed.`);
    props.onClose();
  }
  return (
    <Modal opened onClose={props.onClose} title={`Remove the trunk ${t.name}?`}>
      <Stack gap="sm">
        {onIt > 0 ? (
          <Text size="sm">
            {onIt === 1 ? 'One business number is' : `${onIt} business numbers are`} on this trunk. Move them to another
            trunk (<Anchor href={href('numbers')}>Numbers</Anchor> → the number’s menu → Trunk…) or release them first.
          </Text>
        ) : (
          <List size="sm" spacing={4}>
            <List.Item>Teamline stops registering with it, and its calls are no longer recognised.</List.Item>
            {t.role !== 'standby' && (
              <List.Item>
                It is the {roleText[t.role].toLowerCase()} trunk: outside calls take the other trunk, or none.
              </List.Item>
            )}
          </List>
        )}
        {refusal && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert" py={8}>
            {refusal}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose} data-autofocus>
            Cancel
          </Button>
          <Button color="red" onClick={confirm} loading={removing.isLoading} disabled={onIt > 0}>
            Remove trunk
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

import {
  Button,
  Checkbox,
  Divider,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  Radio,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Trunk } from '../../../../shared/api/carrier';
import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { useSaveTrunkMutation } from './carrierApi';

export const roleText = {
  preferred: 'Preferred',
  fallback: 'Fallback',
  standby: 'Standby',
} as const;

/** The first error of a list field (`allowCidrs.2`), named by its line. */
function listError(errors: Record<string, string>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const item = Object.entries(errors).find(([k]) => k.startsWith(`${field}.`));
  if (!item) return undefined;
  return `Line ${Number(item[0].slice(field.length + 1)) + 1}: ${item[1]}`;
}

/**
 * Adds or edits a trunk. The password is write-only: the page never has it,
 * an edit leaves it empty ("saved — type to replace"), and only a typed one
 * is sent. Every check is the main process's; its errors land under their
 * fields.
 */
export function TrunkForm(props: { trunk: Trunk | null; onClose: () => void }) {
  const t = props.trunk;
  const reg = t?.registration ?? null;
  const [name, setName] = useState(t?.name ?? '');
  const [host, setHost] = useState(t?.host ?? '');
  const [port, setPort] = useState(t?.port ? String(t.port) : '');
  const [transport, setTransport] = useState<Trunk['transport']>(t?.transport ?? 'udp');
  const [registers, setRegisters] = useState(t ? reg !== null : true);
  const [username, setUsername] = useState(reg?.username ?? '');
  const [authUsername, setAuthUsername] = useState(reg?.authUsername ?? '');
  const [password, setPassword] = useState('');
  const [realm, setRealm] = useState(reg?.realm ?? '');
  const [expiry, setExpiry] = useState<number | string>(reg?.expiry ?? 600);
  const [allow, setAllow] = useState((t?.allowCidrs ?? []).join('\n'));
  const [proxy, setProxy] = useState(t?.outboundProxy ?? '');
  const [callerIdMode, setCallerIdMode] = useState<Trunk['callerIdMode']>(t?.callerIdMode ?? 'pai');
  const [callerIdPlus, setCallerIdPlus] = useState(t?.callerIdPlus ?? true);
  const [role, setRole] = useState<Trunk['role']>(t?.role ?? 'preferred');
  const [smsLong, setSmsLong] = useState(t?.smsLong ?? false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, saving] = useSaveTrunkMutation();
  const hasPassword = reg?.hasPassword ?? false;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const portText = port.trim();
    if (portText !== '' && !/^\d{1,5}$/.test(portText)) {
      return setErrors({ port: 'A port is 1 to 65535; leave it empty to use DNS SRV' });
    }
    const r = await save({
      ...(t ? { trunkId: t.id } : {}),
      name,
      host,
      port: portText === '' ? null : Number(portText),
      transport,
      registration: registers
        ? {
            username,
            authUsername: authUsername.trim(),
            ...(password !== '' ? { password } : {}),
            realm,
            expiry: typeof expiry === 'number' ? expiry : Number(expiry) || 0,
          }
        : null,
      allowCidrs: allow
        .split(/[\n,]+/)
        .map((l) => l.trim())
        .filter(Boolean),
      outboundProxy: proxy,
      callerIdMode,
      callerIdPlus,
      role,
      smsLong,
    });
    if ('error' in r) {
      const fields = fieldErrors(r.error);
      setErrors(fields);
      // Errors under their fields say it where it is seen; a toast would cover the form's buttons.
      if (Object.keys(fields).length === 0) notifyError(r.error, 'Trunk not saved');
      return;
    }
    notifySaved(
      t
        ? `${r.data.name} saved.`
        : `${r.data.name} added. ${r.data.registration ? 'It registers with the carrier now.' : ''}`,
    );
    props.onClose();
  }

  return (
    <Modal opened onClose={props.onClose} title={t ? `Edit the trunk ${t.name}` : 'Add a trunk'} size="xl">
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm" aria-label="Trunk settings">
        <TextInput
          label="Name"
          description="How the team knows this connection, e.g. the carrier's name."
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          withAsterisk
          data-autofocus
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput
            label="SIP server"
            description="The carrier's host name or IPv4 address."
            placeholder="sip.carrier.example"
            value={host}
            onChange={(e) => setHost(e.currentTarget.value)}
            error={errors.host}
            withAsterisk
            style={{ gridColumn: 'span 2' }}
          />
          <TextInput
            label="Port"
            description="Empty: DNS SRV"
            placeholder="DNS SRV"
            inputMode="numeric"
            value={port}
            onChange={(e) => setPort(e.currentTarget.value)}
            error={errors.port}
          />
        </SimpleGrid>
        <Radio.Group
          label="Transport"
          value={transport}
          onChange={(v) => setTransport(v as Trunk['transport'])}
          error={errors.transport}
        >
          <Group gap="lg" mt={4}>
            <Radio value="udp" label="UDP" />
            <Radio value="tcp" label="TCP" />
            <Radio value="tls" label="TLS" />
          </Group>
        </Radio.Group>
        <TextInput
          label="Outbound proxy"
          description="Only if the carrier gave one: host or host:port. Requests go there first."
          placeholder="None"
          value={proxy}
          onChange={(e) => setProxy(e.currentTarget.value)}
          error={errors.outboundProxy}
        />

        <Divider label="Authentication" labelPosition="left" />
        <Switch
          label="Register with the carrier"
          description="The carrier gave a user name and password. Off: the carrier knows Teamline by its address only."
          checked={registers}
          onChange={(e) => setRegisters(e.currentTarget.checked)}
          error={errors.registration}
        />
        {registers && (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="User name"
              autoComplete="off"
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              error={errors['registration.username']}
              withAsterisk
            />
            <TextInput
              label="Authentication user name"
              description="Only if it differs from the user name."
              autoComplete="off"
              value={authUsername}
              onChange={(e) => setAuthUsername(e.currentTarget.value)}
              error={errors['registration.authUsername']}
            />
            <PasswordInput
              label="Password"
              description={
                hasPassword
                  ? 'A password is saved. It is never shown; type a new one to replace it.'
                  : 'Stored encrypted; it is never shown again.'
              }
              placeholder={hasPassword ? 'saved — type to replace' : undefined}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={errors['registration.password']}
              withAsterisk={!hasPassword}
            />
            <TextInput
              label="Realm"
              description="Only if the carrier names one."
              autoComplete="off"
              value={realm}
              onChange={(e) => setRealm(e.currentTarget.value)}
              error={errors['registration.realm']}
            />
            <NumberInput
              label="Registration expiry (seconds)"
              description="60 to 86400; Teamline renews before it runs out."
              min={60}
              max={86400}
              allowDecimal={false}
              value={expiry}
              onChange={setExpiry}
              error={errors['registration.expiry']}
            />
          </SimpleGrid>
        )}
        <Textarea
          label="The carrier's addresses (allow-list)"
          description="The networks the carrier's calls come from, one per line, e.g. 203.0.113.0/24. Needed when the trunk does not register."
          autosize
          minRows={2}
          maxRows={6}
          value={allow}
          onChange={(e) => setAllow(e.currentTarget.value)}
          error={listError(errors, 'allowCidrs')}
        />

        <Divider label="Caller ID" labelPosition="left" />
        <Radio.Group
          label="Where the caller ID goes"
          value={callerIdMode}
          onChange={(v) => setCallerIdMode(v as Trunk['callerIdMode'])}
          error={errors.callerIdMode}
        >
          <Stack gap={6} mt={4}>
            <Radio value="pai" label="P-Asserted-Identity (From carries the trunk's user name)" />
            <Radio value="from" label="From" />
          </Stack>
        </Radio.Group>
        <Checkbox
          label="Send numbers with the leading + (E.164, +12135550100)"
          description="Off: 12135550100, as some carriers want."
          checked={callerIdPlus}
          onChange={(e) => setCallerIdPlus(e.currentTarget.checked)}
        />

        <Divider label="Text messages" labelPosition="left" />
        <Checkbox
          label="Send long texts in one message"
          description="For carriers that split long texts themselves; off: Teamline sends a long text as numbered parts."
          checked={smsLong}
          onChange={(e) => setSmsLong(e.currentTarget.checked)}
        />

        <Divider label="Role" labelPosition="left" />
        <Radio.Group
          label="Which calls take this trunk"
          description="One preferred and one fallback trunk: giving this trunk a role moves the trunk that had it to standby."
          value={role}
          onChange={(v) => setRole(v as Trunk['role'])}
          error={errors.role}
        >
          <Stack gap={6} mt={4}>
            <Radio value="preferred" label="Preferred: outside and emergency calls go here first" />
            <Radio
              value="fallback"
              label="Fallback: takes the call when the preferred trunk fails or does not answer"
            />
            <Radio value="standby" label="Standby: takes no outgoing calls (still takes calls from the carrier)" />
          </Stack>
        </Radio.Group>
        {errors['(input)'] && (
          <Text size="sm" c="red" role="alert">
            {errors['(input)']}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading}>
            {t ? 'Save trunk' : 'Add trunk'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

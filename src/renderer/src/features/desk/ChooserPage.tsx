import {
  Alert,
  Button,
  Center,
  Code,
  Divider,
  Group,
  Paper,
  PasswordInput,
  Radio,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import type { DeskBridge, DeskInfo, InvitationPreview, PresentedCertificate } from '../../../../shared/api/desk';
import { noNativeValidation } from '../../ui/notify';
import { fingerprintLines, readLink } from './deskView';

const why: Record<Exclude<InvitationPreview['status'], 'pending'>, string> = {
  unknown: 'This invitation link is not valid. Copy the whole link, or ask your administrator for a new one.',
  used: 'This invitation was already used. Ask your administrator for a new one to set up this computer.',
  expired: 'This invitation has expired. Ask your administrator for a new one.',
  revoked: 'This invitation was withdrawn. Ask your administrator for a new one.',
};

/** Password and this computer's name, then Join: the last step of either way in. */
function FinishJoin({
  deviceName,
  onJoin,
  busy,
}: {
  deviceName: string;
  onJoin: (password: string, deviceName: string) => void;
  busy: boolean;
}) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [name, setName] = useState(deviceName);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 8) return setError('A password has at least 8 characters.');
    if (password !== confirm) return setError('The two passwords differ.');
    setError(null);
    onJoin(password, name);
  };
  return (
    <form onSubmit={submit} {...noNativeValidation}>
      <Stack gap="sm">
        <PasswordInput
          label="Choose your password"
          description="You sign in to the team's console with it, here and in a browser."
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={error}
          autoComplete="new-password"
          required
        />
        <PasswordInput
          label="Password again"
          value={confirm}
          onChange={(e) => setConfirm(e.currentTarget.value)}
          autoComplete="new-password"
          required
        />
        <TextInput
          label="Name of this computer"
          description="Shown to your administrator in your list of devices."
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
        />
        <Button type="submit" loading={busy}>
          Join
        </Button>
      </Stack>
    </form>
  );
}

function JoinWithLink({ desk, info, onError }: { desk: DeskBridge; info: DeskInfo; onError: (m: string) => void }) {
  const [link, setLink] = useState(info.pendingLink ?? '');
  const [preview, setPreview] = useState<InvitationPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [fieldError, setFieldError] = useState<string | null>(null);

  async function check(text: string) {
    const read = readLink(text);
    setPreview(null);
    if (!read.ok) return setFieldError(read.message);
    setFieldError(null);
    setBusy(true);
    const r = await desk.inspect(text);
    setBusy(false);
    if (r.ok) setPreview(r.value);
    else onError(r.message);
  }
  // A link the app was opened with (or that arrives while this page shows) is checked at once.
  useEffect(() => {
    const opened = info.pendingLink;
    const first = opened ? setTimeout(() => void check(opened), 0) : undefined;
    const off = desk.onLink((l) => {
      setLink(l);
      void check(l);
    });
    return () => {
      clearTimeout(first);
      off();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, for the link the page opened with
  }, [desk]);

  async function join(password: string, deviceName: string) {
    setBusy(true);
    const r = await desk.join({ link, password, deviceName });
    setBusy(false);
    if (!r.ok) onError(r.message);
  }

  return (
    <Stack gap="sm">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void check(link);
        }}
        {...noNativeValidation}
      >
        <Stack gap="sm">
          <Textarea
            label="Invitation link"
            description="teamline://join?… or https://…/join#… from your administrator's email or message."
            value={link}
            onChange={(e) => setLink(e.currentTarget.value)}
            error={fieldError}
            autosize
            minRows={2}
            spellCheck={false}
          />
          {!preview && (
            <Button type="submit" variant="light" loading={busy}>
              Check invitation
            </Button>
          )}
        </Stack>
      </form>
      {preview && preview.status !== 'pending' && (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert">
          {why[preview.status]}
        </Alert>
      )}
      {preview?.status === 'pending' && (
        <>
          <Alert color="teal" icon={<IconCircleCheck aria-hidden />} title="Invitation checked">
            For <strong>{preview.userName}</strong> on {preview.accountName}, at {preview.server}. The server showed the
            certificate the link names.
          </Alert>
          <FinishJoin deviceName={info.deviceName} onJoin={(p, d) => void join(p, d)} busy={busy} />
        </>
      )}
    </Stack>
  );
}

function JoinWithAddress({ desk, info, onError }: { desk: DeskBridge; info: DeskInfo; onError: (m: string) => void }) {
  const [address, setAddress] = useState('');
  const [shown, setShown] = useState<{ server: string; certificates: PresentedCertificate[] } | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);

  async function look(e: FormEvent) {
    e.preventDefault();
    setShown(null);
    setPicked(null);
    setBusy(true);
    const r = await desk.certificates(address);
    setBusy(false);
    if (r.ok) setShown(r.value);
    else onError(r.message);
  }
  async function join(password: string, deviceName: string) {
    if (!shown || !picked || picked === 'none') return;
    setBusy(true);
    const r = await desk.join({ server: shown.server, fingerprint: picked, code, password, deviceName });
    setBusy(false);
    if (!r.ok) onError(r.message);
  }

  return (
    <Stack gap="sm">
      <form onSubmit={(e) => void look(e)} {...noNativeValidation}>
        <Stack gap="sm">
          <TextInput
            label="Server address"
            description="For example pbx.example.com:8443"
            value={address}
            onChange={(e) => setAddress(e.currentTarget.value)}
            spellCheck={false}
            required
          />
          <Button type="submit" variant="light" loading={busy && !shown}>
            Show the server's fingerprint
          </Button>
        </Stack>
      </form>
      {shown && (
        <Radio.Group
          label={`Which fingerprint matches the one your administrator gave you for ${shown.server}?`}
          description="Compare every group. If none matches, do not go on: someone may be between you and the server."
          value={picked}
          onChange={setPicked}
        >
          <Stack gap="xs" mt="xs">
            {shown.certificates.map((c) => (
              <Radio
                key={c.fingerprint}
                value={c.fingerprint}
                label={
                  <Stack gap={2}>
                    <Text size="sm">
                      {c.isCa ? `The server's own authority (${c.subject})` : `Certificate ${c.subject}`}
                    </Text>
                    {fingerprintLines(c.fingerprint).map((line) => (
                      <Code key={line}>{line}</Code>
                    ))}
                  </Stack>
                }
              />
            ))}
            <Radio value="none" label="None of these matches" />
          </Stack>
        </Radio.Group>
      )}
      {picked === 'none' && (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert">
          Teamline will not connect to this server. Tell your administrator which fingerprint you saw.
        </Alert>
      )}
      {shown && picked && picked !== 'none' && (
        <>
          <TextInput
            label="Invitation code"
            description="The code from your invitation (the part after token=)."
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            spellCheck={false}
            required
          />
          <FinishJoin deviceName={info.deviceName} onJoin={(p, d) => void join(p, d)} busy={busy} />
        </>
      )}
    </Stack>
  );
}

/**
 * The desktop's first run: join the team's server (an invitation link, or
 * the server's address with its fingerprint compared by eye), or try the
 * demo account on this computer.
 */
export function ChooserPage({ desk, info }: { desk: DeskBridge; info: DeskInfo }) {
  const [error, setError] = useState<string | null>(null);
  const [demoBusy, setDemoBusy] = useState(false);
  return (
    <Center mih="100%" p="md">
      <Paper withBorder p="xl" radius="md" maw={560} w="100%" component="main">
        <Stack gap="md">
          <Title order={1} size="h2">
            Welcome to Teamline
          </Title>
          <section aria-labelledby="join-title">
            <Stack gap="sm">
              <Title order={2} size="h3" id="join-title">
                Join your team
              </Title>
              {error && (
                <Alert
                  color="red"
                  icon={<IconAlertTriangle aria-hidden />}
                  role="alert"
                  withCloseButton
                  onClose={() => setError(null)}
                >
                  {error}
                </Alert>
              )}
              <Tabs defaultValue="link" keepMounted={false}>
                <Tabs.List>
                  <Tabs.Tab value="link">Invitation link</Tabs.Tab>
                  <Tabs.Tab value="address">Server address</Tabs.Tab>
                </Tabs.List>
                <Tabs.Panel value="link" pt="sm">
                  <JoinWithLink desk={desk} info={info} onError={setError} />
                </Tabs.Panel>
                <Tabs.Panel value="address" pt="sm">
                  <JoinWithAddress desk={desk} info={info} onError={setError} />
                </Tabs.Panel>
              </Tabs>
            </Stack>
          </section>
          <Divider label="or" labelPosition="center" />
          <section aria-labelledby="demo-title">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Stack gap={4}>
                <Title order={2} size="h3" id="demo-title">
                  Try the demo on this computer
                </Title>
                <Text size="sm" c="dimmed">
                  A sample company with its team, numbers and calls, kept on this computer only.
                </Text>
              </Stack>
              <Button
                variant="default"
                style={{ flexShrink: 0 }}
                loading={demoBusy}
                onClick={() => {
                  setDemoBusy(true);
                  void desk.chooseDemo();
                }}
              >
                Try the demo
              </Button>
            </Group>
          </section>
        </Stack>
      </Paper>
    </Center>
  );
}

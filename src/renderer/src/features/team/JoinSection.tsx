import {
  ActionIcon,
  Badge,
  Button,
  CopyButton,
  Group,
  Image,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconCheck, IconCopy, IconDeviceDesktop, IconSend } from '@tabler/icons-react';
import { toDataURL } from 'qrcode';
import { useEffect, useState } from 'react';
import type { Device, Invitation, Output } from '../../../../shared/api/contract';
import type { User } from '../../../../shared/api/entities';
import { formatDateTime } from '../../ui/format';
import { notifyError, notifySaved } from '../../ui/notify';
import { CardSection, Refusal, useFeedback } from './feedback';
import {
  useCreateInvitationMutation,
  useDevicesQuery,
  useInvitationsQuery,
  useRevokeDeviceMutation,
  useRevokeInvitationMutation,
} from './joinApi';

type Created = Output<'invitations.create'>;

const statusColor: Record<Invitation['status'], string> = {
  pending: 'blue',
  used: 'green',
  expired: 'gray',
  revoked: 'gray',
};
const statusLabel: Record<Invitation['status'], string> = {
  pending: 'Pending',
  used: 'Used',
  expired: 'Expired',
  revoked: 'Withdrawn',
};

/** The set-password page of the console the admin is using, when it is served over the web (no desktop link then). */
function webLinkHere(token: string): string | null {
  const { protocol, host } = window.location;
  if (protocol !== 'https:' && protocol !== 'http:') return null;
  return `${protocol}//${host}/join#${new URLSearchParams({ token }).toString()}`;
}

function LinkField(props: { label: string; value: string; description?: string }) {
  return (
    <TextInput
      label={props.label}
      description={props.description}
      value={props.value}
      readOnly
      onFocus={(e) => e.currentTarget.select()}
      rightSection={
        <CopyButton value={props.value}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon variant="subtle" onClick={copy} aria-label={`Copy the ${props.label.toLowerCase()}`}>
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      }
    />
  );
}

/** The link just made: to copy, and as a QR code to scan. It is shown once; only its digest is kept. */
export function InvitationLinks(props: { user: Pick<User, 'name'>; created: Created }) {
  const { created } = props;
  const web = created.links?.web ?? webLinkHere(created.token);
  const qrText = created.links?.app ?? web;
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (qrText) void toDataURL(qrText, { margin: 1, width: 180 }).then((url) => live && setQr(url));
    return () => {
      live = false;
    };
  }, [qrText]);
  return (
    <Stack gap="xs" role="group" aria-label={`Invitation for ${props.user.name}`}>
      <Text size="sm">
        Send this to {props.user.name}. It works once, until {formatDateTime(created.invitation.expiresAt)}; it is shown
        only now.
      </Text>
      {created.links && (
        <LinkField
          label="Link for the desktop app"
          description="Opens Teamline and joins this team; it names the server and its certificate."
          value={created.links.app}
        />
      )}
      {web && <LinkField label="Link for a web browser" description="Sets a password, then signs in." value={web} />}
      {!web && <LinkField label="Invitation code" value={created.token} />}
      {qr && <Image src={qr} alt={`QR code of the invitation link for ${props.user.name}`} w={180} h={180} />}
    </Stack>
  );
}

/**
 * "Invite to join" and "Devices" on the user card: shown to those who may
 * manage the user's settings (the API refuses everyone else, and the
 * section then stays hidden).
 */
export function JoinSection(props: { user: User }) {
  const u = props.user;
  const invitations = useInvitationsQuery(u.id);
  const devices = useDevicesQuery(u.id);
  const [create, creating] = useCreateInvitationMutation();
  const [revokeInvitation] = useRevokeInvitationMutation();
  const [revokeDevice] = useRevokeDeviceMutation();
  const [days, setDays] = useState('7');
  const [created, setCreated] = useState<Created | null>(null);
  const fb = useFeedback();

  if (invitations.isError && devices.isError) return null;

  const pending = (invitations.data ?? []).filter((i) => i.status === 'pending');
  const past = (invitations.data ?? []).filter((i) => i.status !== 'pending').slice(0, 5);

  const withdraw = (i: Invitation) =>
    modals.openConfirmModal({
      title: 'Withdraw this invitation?',
      children: <Text size="sm">The link stops working at once. You can make a new one.</Text>,
      labels: { confirm: 'Withdraw', cancel: 'Keep it' },
      confirmProps: { color: 'red' },
      onConfirm: async () => {
        const r = await revokeInvitation(i.id);
        if ('error' in r) notifyError(r.error, 'Not withdrawn');
        else {
          if (created?.invitation.id === i.id) setCreated(null);
          notifySaved('The invitation was withdrawn.');
        }
      },
    });

  const remove = (d: Device) =>
    modals.openConfirmModal({
      title: `Remove "${d.name}"?`,
      children: (
        <Text size="sm">
          That desktop is signed out at once and cannot connect again. {u.name} can join it again with a new invitation.
        </Text>
      ),
      labels: { confirm: 'Remove desktop', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: async () => {
        const r = await revokeDevice(d.id);
        if ('error' in r) notifyError(r.error, 'Not removed');
        else notifySaved(`"${d.name}" was removed and signed out.`);
      },
    });

  return (
    <>
      {!invitations.isError && (
        <CardSection
          title="Invite to join"
          description={`A one-time link with which ${u.name} sets their own password and joins this team from a desktop or a browser.`}
        >
          {u.active ? (
            <Group gap="xs" align="flex-end">
              <Select
                label="Expires after"
                data={[
                  { value: '1', label: '1 day' },
                  { value: '3', label: '3 days' },
                  { value: '7', label: '7 days' },
                  { value: '14', label: '14 days' },
                  { value: '30', label: '30 days' },
                ]}
                value={days}
                onChange={(v) => setDays(v ?? '7')}
                allowDeselect={false}
                w={130}
              />
              <Button
                leftSection={<IconSend size={14} />}
                loading={creating.isLoading}
                onClick={() =>
                  void fb.handle(create({ userId: u.id, expiresInDays: Number(days) }), (value) => setCreated(value))
                }
              >
                Create invitation
              </Button>
            </Group>
          ) : (
            <Text size="sm" c="dimmed">
              {u.name} is deactivated; reactivate them to invite them.
            </Text>
          )}
          <Refusal message={fb.refusal} title="No invitation made" />
          {created && <InvitationLinks user={u} created={created} />}
          {pending.length + past.length > 0 && (
            <Table aria-label={`Invitations for ${u.name}`} verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Made</Table.Th>
                  <Table.Th>By</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...pending, ...past].map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>{formatDateTime(i.createdAt)}</Table.Td>
                    <Table.Td>{i.createdBy}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={statusColor[i.status]}>
                        {statusLabel[i.status]}
                      </Badge>
                      {i.status === 'pending' && (
                        <Text span size="xs" c="dimmed" ml={6}>
                          until {formatDateTime(i.expiresAt)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {i.status === 'pending' && (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => withdraw(i)}
                          aria-label={`Withdraw the invitation made ${formatDateTime(i.createdAt)}`}
                        >
                          Withdraw
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </CardSection>
      )}

      {!devices.isError && (
        <CardSection title="Devices" description={`Desktops that joined this team as ${u.name}.`}>
          {(devices.data ?? []).length === 0 ? (
            <Text size="sm" c="dimmed">
              No desktop has joined as {u.name} yet.
            </Text>
          ) : (
            <Table aria-label={`Devices of ${u.name}`} verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Desktop</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(devices.data ?? []).map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <IconDeviceDesktop size={14} aria-hidden />
                        {d.name}
                      </Group>
                    </Table.Td>
                    <Table.Td>{d.lastSeenAt ? formatDateTime(d.lastSeenAt) : 'Never'}</Table.Td>
                    <Table.Td>
                      {d.revokedAt ? (
                        <Badge variant="light" color="gray">
                          Removed
                        </Badge>
                      ) : (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => remove(d)}
                          aria-label={`Remove the desktop "${d.name}"`}
                        >
                          Remove
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </CardSection>
      )}
    </>
  );
}

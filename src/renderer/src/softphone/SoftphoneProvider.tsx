import { ActionIcon, Affix, Badge, Button, Group, Indicator, Paper, Stack, Text, Tooltip, Transition } from '@mantine/core';
import { IconPhone, IconPhoneOff } from '@tabler/icons-react';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Me } from '../../../shared/api/contract';
import { bridge, call } from '../app/api';
import { store, useAppSelector } from '../app/store';
import { formatPhone } from '../ui/format';
import { isLive } from './callMachine';
import { PhonePanel, registrationColor, registrationText } from './PhonePanel';
import { savedDevices } from './AudioSettings';
import { SoftphoneContext } from './runtime';
import { Softphone, type SipCredentials } from './service';
import { sp } from './slice';

/** A teammate's name for an extension, a contact's for a phone number. */
async function nameOf(remote: string): Promise<string | null> {
  if (/^\d{2,6}$/.test(remote)) {
    const dir = await call('sip.directory', {}).catch(() => null);
    return dir?.members.find((m) => m.extension === remote)?.name ?? null;
  }
  if (!remote.startsWith('+')) return null;
  return (await call('contacts.lookup', { phone: remote }).catch(() => ({ contact: null }))).contact?.name ?? null;
}

const shown = new Map<string, Notification>();

/**
 * Tells the user of a call that rings while the window is in the background:
 * the desktop's system notification with Answer and Decline, or in a browser
 * a web notification that brings the window forward.
 */
function notifyInBackground(id: string, from: string, name: string | null, onOpen: () => void) {
  if (document.hasFocus() && !document.hidden) return;
  const body = name ? `${name} · ${formatPhone(from)}` : formatPhone(from);
  if (bridge.showCallNotice) return bridge.showCallNotice({ lineId: id, title: 'Incoming call', body });
  if (typeof Notification === 'undefined') return;
  const show = () => {
    const n = new Notification('Incoming call', {
      body,
      requireInteraction: true,
      tag: `incoming-call-${id}`,
    });
    shown.set(id, n);
    n.onclick = () => {
      window.focus();
      onOpen();
      n.close();
    };
  };
  if (Notification.permission === 'granted') show();
  else if (Notification.permission !== 'denied') void Notification.requestPermission().then((p) => p === 'granted' && show());
}

function closeNotification(id: string) {
  bridge.closeCallNotice?.(id);
  shown.get(id)?.close();
  shown.delete(id);
}

/**
 * Creates the app's softphone for the signed-in user (not while viewing as
 * someone), registers it, and shows the phone: a button with the line's
 * status, the dialer panel, and an incoming-call card that answers from
 * anywhere in the app.
 */
export function SoftphoneProvider(props: { me: Me; credentials: () => Promise<SipCredentials>; children: ReactNode }) {
  const { me } = props;
  const [open, setOpen] = useState(false);
  const enabled = me.viewedBy === null && me.account.status === 'active';
  const phone = useMemo(
    () =>
      enabled
        ? new Softphone({
            dispatch: store.dispatch,
            getState: store.getState,
            credentials: props.credentials,
            displayName: me.user.name,
            authorize: async (bnId, to) => (await call('calls.authorizeOutbound', { bnId, to })).callerId,
            nameOf,
            notifyIncoming: ({ id, from, name }) => notifyInBackground(id, from, name, () => setOpen(true)),
            ringingOver: closeNotification,
          })
        : null,
    // One phone per signed-in user.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [enabled, me.user.id],
  );

  useEffect(() => {
    if (!phone) return;
    store.dispatch(sp.devicesChanged(savedDevices()));
    void phone.start();
    return () => void phone.stop();
  }, [phone]);

  // A tel: or sip: link opened with the app fills the dialer; a call notification's buttons act on their line.
  useEffect(
    () =>
      bridge.on((e) => {
        if (e.name === 'dial.requested' && e.to) {
          store.dispatch(sp.dialStringChanged(e.to));
          setOpen(true);
        } else if (e.name === 'call.action' && e.lineId && phone) {
          if (e.action === 'decline') void phone.decline(e.lineId);
          else {
            setOpen(true);
            if (e.action === 'answer') void phone.answer(e.lineId);
          }
        }
      }),
    [phone],
  );

  const handle = useMemo(
    () =>
      phone
        ? {
            phone,
            openDialer: (to?: string) => {
              if (to) store.dispatch(sp.dialStringChanged(to));
              setOpen(true);
            },
          }
        : null,
    [phone],
  );
  const registration = useAppSelector((s) => s.softphone.registration);
  const ringing = useAppSelector((s) => s.softphone.lines.filter((l) => l.state === 'ringing'));
  const live = useAppSelector((s) => s.softphone.lines.some((l) => isLive(l.state)));

  return (
    <SoftphoneContext.Provider value={handle}>
      {props.children}
      {phone && (
        <Affix position={{ bottom: 20, right: 20 }} zIndex={300}>
          <Stack align="flex-end" gap="sm">
            {!open &&
              ringing.map((l) => (
                <Paper key={l.id} shadow="xl" withBorder radius="lg" p="md" w={300} role="alertdialog" aria-label={`Incoming call from ${l.remoteName ?? formatPhone(l.remote)}`}>
                  <Text size="xs" c="dimmed">
                    Incoming call
                  </Text>
                  <Text fw={700}>{l.remoteName ?? formatPhone(l.remote)}</Text>
                  <Group mt="sm" grow>
                    <Button color="teal" leftSection={<IconPhone size={14} />} onClick={() => (setOpen(true), void phone.answer(l.id))}>
                      Answer
                    </Button>
                    <Button color="red" variant="light" leftSection={<IconPhoneOff size={14} />} onClick={() => void phone.decline(l.id)}>
                      Decline
                    </Button>
                  </Group>
                </Paper>
              ))}
            <Transition mounted={open} transition="slide-up" duration={150}>
              {(style) => (
                <div style={style}>
                  <PhonePanel me={me} onClose={() => setOpen(false)} />
                </div>
              )}
            </Transition>
            {!open && (
              <Tooltip label={`Phone: ${registrationText[registration.status]}`} position="left">
                <Indicator color={registrationColor[registration.status]} size={12} offset={6} processing={live}>
                  <ActionIcon size={52} radius="xl" color="teal" variant="filled" aria-label={`Open phone (${registrationText[registration.status]})`} onClick={() => setOpen(true)}>
                    <IconPhone size={24} />
                  </ActionIcon>
                </Indicator>
              </Tooltip>
            )}
          </Stack>
        </Affix>
      )}
      {!phone && me.viewedBy && (
        <Affix position={{ bottom: 20, right: 20 }}>
          <Badge color="gray" size="lg">
            Phone off while viewing as {me.user.name}
          </Badge>
        </Affix>
      )}
    </SoftphoneContext.Provider>
  );
}

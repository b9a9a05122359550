import { ActionIcon, Affix, Badge, Button, Group, Indicator, Paper, Stack, Text, Tooltip, Transition } from '@mantine/core';
import { IconPhone, IconPhoneOff } from '@tabler/icons-react';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Me } from '../../../shared/api/contract';
import { bridge, call } from '../app/api';
import { store, useAppSelector } from '../app/store';
import { formatPhone } from '../ui/format';
import { isLive } from './callMachine';
import { PhonePanel, registrationColor, registrationText } from './PhonePanel';
import { SoftphoneContext } from './runtime';
import { Softphone, type SipCredentials } from './service';
import { sp } from './slice';

/** Shows an OS notification for a call that rings while the window is in the background. */
function notifyInBackground(from: string, name: string | null, onOpen: () => void) {
  if (!document.hidden || typeof Notification === 'undefined') return;
  const show = () => {
    const n = new Notification('Incoming call', { body: name ? `${name} · ${formatPhone(from)}` : formatPhone(from), requireInteraction: true, tag: 'incoming-call' });
    n.onclick = () => {
      window.focus();
      onOpen();
      n.close();
    };
  };
  if (Notification.permission === 'granted') show();
  else if (Notification.permission !== 'denied') void Notification.requestPermission().then((p) => p === 'granted' && show());
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
            authorize: async (bnId, to) => (await call('calls.authorizeOutbound', { bnId, to })).callerId,
            notifyIncoming: ({ from, name }) => notifyInBackground(from, name, () => setOpen(true)),
          })
        : null,
    // One phone per signed-in user.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [enabled, me.user.id],
  );

  useEffect(() => {
    if (!phone) return;
    void phone.start();
    return () => void phone.stop();
  }, [phone]);

  // A tel: or sip: link opened with the app fills the dialer.
  useEffect(
    () =>
      bridge.on((e) => {
        if (e.name === 'dial.requested' && e.to) {
          store.dispatch(sp.dialStringChanged(e.to));
          setOpen(true);
        }
      }),
    [],
  );

  const registration = useAppSelector((s) => s.softphone.registration);
  const ringing = useAppSelector((s) => s.softphone.lines.filter((l) => l.state === 'ringing'));
  const live = useAppSelector((s) => s.softphone.lines.some((l) => isLive(l.state)));

  return (
    <SoftphoneContext.Provider value={phone}>
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

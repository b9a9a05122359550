import { ActionIcon, Affix, Badge, Button, Group, Indicator, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { IconPhone, IconPhoneOff } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Me } from '../../../shared/api/contract';
import { bridge, call } from '../app/api';
import { store, useAppSelector } from '../app/store';
import { formatPhone } from '../ui/format';
import { isLive } from './callMachine';
import { PhonePanel, registrationColor, registrationText } from './PhonePanel';
import { savedDevices } from './AudioSettings';
import { useAvailabilitySync } from './Availability';
import { presenceColor, presenceLabel } from './directoryApi';
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
  else if (Notification.permission !== 'denied')
    void Notification.requestPermission().then((p) => p === 'granted' && show());
}

function closeNotification(id: string) {
  bridge.closeCallNotice?.(id);
  shown.get(id)?.close();
  shown.delete(id);
}

/** The phone's pieces for the app's frame to place: the header button, the docked panel, and whether it is open. */
export interface PhoneUi {
  open: boolean;
  /** The round phone button (or, while viewing as someone, a note that the phone is off); null when there is no phone. */
  button: ReactNode;
  /** The dialer, docked beside the page (it pushes the page rather than covering it); null while closed. */
  panel: ReactNode;
  /** Incoming calls while the dialer is closed. */
  ringing: ReactNode;
}

/**
 * Creates the app's softphone for the signed-in user (not while viewing as
 * someone), registers it, and gives the app's frame the phone to place: a
 * button with the line's status, the dialer panel, and an incoming-call card
 * that answers from anywhere in the app.
 */
export function SoftphoneProvider(props: {
  me: Me;
  credentials: () => Promise<SipCredentials>;
  children: (ui: PhoneUi) => ReactNode;
}) {
  const { me } = props;
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  /** Where focus goes when the dialer opens: its number field, so that digits typed at once are not lost. */
  const [focusRequest, setFocusRequest] = useState(0);
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

  const openPhone = useCallback(() => {
    setOpen(true);
    setFocusRequest((n) => n + 1);
  }, []);
  const closePhone = useCallback(() => {
    setOpen(false);
    // Back to the button that opened it, not to the top of the page.
    window.requestAnimationFrame(() => buttonRef.current?.focus());
  }, []);

  // A tel: or sip: link opened with the app fills the dialer; a call notification's buttons act on their line.
  useEffect(() => {
    const stop = bridge.on((e) => {
      if (e.name === 'dial.requested' && e.to) {
        store.dispatch(sp.dialStringChanged(e.to));
        openPhone();
      } else if (e.name === 'call.action' && e.lineId && phone) {
        if (e.action === 'decline') void phone.decline(e.lineId);
        else {
          setOpen(true);
          if (e.action === 'answer') void phone.answer(e.lineId);
        }
      }
    });
    return stop;
  }, [phone, openPhone]);

  const handle = useMemo(
    () =>
      phone
        ? {
            phone,
            openDialer: (to?: string) => {
              if (to) store.dispatch(sp.dialStringChanged(to));
              openPhone();
            },
          }
        : null,
    [phone, openPhone],
  );
  useAvailabilitySync(phone !== null);
  const availability = useAppSelector((s) => s.softphone.availability);
  const registration = useAppSelector((s) => s.softphone.registration);
  const ringing = useAppSelector((s) => s.softphone.lines.filter((l) => l.state === 'ringing'));
  const live = useAppSelector((s) => s.softphone.lines.some((l) => isLive(l.state)));

  // "Ready", or "Ready, Do not disturb": what the button says the phone will do with a call.
  const status =
    registrationText[registration.status] +
    (registration.status === 'registered' && availability !== 'available' ? `, ${presenceLabel[availability]}` : '');
  const ui: PhoneUi = {
    open: phone !== null && open,
    button: phone ? (
      <Tooltip label={`Phone: ${status}`}>
        <Indicator
          color={
            registration.status === 'registered' && availability !== 'available'
              ? presenceColor[availability]
              : registrationColor[registration.status]
          }
          size={11}
          offset={4}
          processing={live}
        >
          <ActionIcon
            ref={buttonRef}
            size={38}
            radius="xl"
            color="teal"
            variant="filled"
            aria-label={`Open phone (${status})`}
            aria-expanded={open}
            aria-controls="phone-panel"
            onClick={openPhone}
          >
            <IconPhone size={20} />
          </ActionIcon>
        </Indicator>
      </Tooltip>
    ) : me.viewedBy ? (
      <Badge color="gray" variant="outline">
        Phone off while viewing as {me.user.name}
      </Badge>
    ) : null,
    panel: phone && open ? <PhonePanel me={me} onClose={closePhone} focusRequest={focusRequest} /> : null,
    ringing:
      phone && !open && ringing.length > 0 ? (
        <Affix position={{ top: 68, right: 16 }} zIndex={300}>
          <Stack gap="sm">
            {ringing.map((l) => (
              <Paper
                key={l.id}
                shadow="xl"
                withBorder
                radius="lg"
                p="md"
                w={300}
                role="alertdialog"
                aria-label={`Incoming call from ${l.remoteName ?? formatPhone(l.remote)}`}
              >
                <Text size="xs" c="dimmed">
                  Incoming call
                </Text>
                <Text fw={700}>{l.remoteName ?? formatPhone(l.remote)}</Text>
                <Group mt="sm" grow>
                  <Button
                    color="teal"
                    leftSection={<IconPhone size={14} />}
                    // The dialer opens once the answer is sent: rendering it first would delay the answer.
                    onClick={() => void phone.answer(l.id).finally(() => setOpen(true))}
                  >
                    Answer
                  </Button>
                  <Button
                    color="red"
                    variant="light"
                    leftSection={<IconPhoneOff size={14} />}
                    onClick={() => void phone.decline(l.id)}
                  >
                    Decline
                  </Button>
                </Group>
              </Paper>
            ))}
          </Stack>
        </Affix>
      ) : null,
  };

  return <SoftphoneContext.Provider value={handle}>{props.children(ui)}</SoftphoneContext.Provider>;
}

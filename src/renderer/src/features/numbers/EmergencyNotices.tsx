import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconUrgent } from '@tabler/icons-react';
import { useEffect } from 'react';
import type { EmergencyNotice } from '../../../../shared/api/carrier';
import { formatDateTime } from '../../ui/format';
import { notifyError } from '../../ui/notify';
import { useAcknowledgeEmergencyMutation, useEmergenciesQuery } from './carrierApi';

/** Notices already raised as desktop notifications in this window. */
const raised = new Set<number>();
/** A notice older than this when the console opens is shown on the page only, not raised again on the desktop. */
const FRESH_MS = 15 * 60_000;

const describe = (e: EmergencyNotice) =>
  `${e.userName} (extension ${e.extension}) dialled ${e.number} at ${formatDateTime(e.at)}` +
  (e.callerId ? ` with caller ID ${e.callerId}.` : ', with no caller ID.');

/** A system notification that stays until dismissed, and brings the console forward when clicked. */
function raise(e: EmergencyNotice) {
  if (raised.has(e.id) || typeof Notification === 'undefined') return;
  raised.add(e.id);
  if (Date.now() - e.at > FRESH_MS) return;
  const show = () => {
    const n = new Notification(`Emergency call to ${e.number}`, {
      body: describe(e),
      requireInteraction: true,
      tag: `emergency-${e.id}`,
    });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  };
  if (Notification.permission === 'granted') show();
  else if (Notification.permission !== 'denied')
    void Notification.requestPermission().then((p) => p === 'granted' && show());
}

/**
 * The Administrators' notice of calls to the emergency services: on every
 * page, at once (the event emergency.called refreshes it), as a desktop
 * notification too, until this Administrator acknowledges it.
 */
export function EmergencyNotices() {
  const list = useEmergenciesQuery();
  const [acknowledge, acknowledging] = useAcknowledgeEmergencyMutation();
  const open = (list.data ?? []).filter((e) => !e.acknowledged);

  useEffect(() => {
    for (const e of open) raise(e);
  }, [open]);

  if (open.length === 0) return null;
  return (
    <Stack gap={0}>
      {open.map((e) => {
        const others = e.acknowledgedBy;
        return (
          <Alert
            key={e.id}
            color="red"
            variant="filled"
            radius={0}
            py={10}
            icon={<IconUrgent size={20} aria-hidden />}
            role="alert"
            aria-label={`Emergency call to ${e.number}`}
            data-testid="emergency-notice"
          >
            <Group justify="space-between" wrap="nowrap" gap="md">
              <Stack gap={2}>
                <Text size="sm" fw={700} c="white">
                  Emergency call to {e.number}
                </Text>
                <Text size="sm" c="white">
                  {describe(e)}
                </Text>
                {others.length > 0 && (
                  <Text size="xs" c="white">
                    Seen by {others.map((a) => `${a.name} (${formatDateTime(a.at)})`).join(', ')}.
                  </Text>
                )}
              </Stack>
              <Button
                size="xs"
                variant="white"
                color="red"
                loading={acknowledging.isLoading && acknowledging.originalArgs === e.id}
                onClick={async () => {
                  const r = await acknowledge(e.id);
                  if ('error' in r) notifyError(r.error, 'Not acknowledged');
                }}
                aria-label={`Acknowledge the emergency call of ${e.userName} to ${e.number}`}
              >
                Acknowledge
              </Button>
            </Group>
          </Alert>
        );
      })}
    </Stack>
  );
}

import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconPlayerPlay } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { Voicemail } from '../../../../shared/api/entities';
import { call } from '../../app/api';
import { formatDuration } from '../../ui/format';
import { notifyError } from '../../ui/notify';

/**
 * Plays a voicemail's recording. The audio is fetched on demand (the main
 * process checks access again) and played from a blob URL; listening marks it read.
 */
export function VoicemailPlayer(props: { voicemail: Voicemail }) {
  const vm = props.voicemail;
  const [src, setSrc] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(
    () => () => {
      if (src) URL.revokeObjectURL(src);
    },
    [src],
  );

  async function load() {
    setLoading(true);
    try {
      const audio = await call('voicemails.audio', { voicemailId: vm.id });
      const bytes = Uint8Array.from(atob(audio.base64), (ch) => ch.charCodeAt(0));
      setSrc(URL.createObjectURL(new Blob([bytes], { type: audio.mime })));
      // The main process answers with a push event, which refreshes lists and badges.
      if (!vm.read) await call('voicemails.markRead', { voicemailId: vm.id });
    } catch (e) {
      notifyError(e, 'Could not play this voicemail');
    } finally {
      setLoading(false);
    }
  }

  return (
    <Alert color="orange" variant="light" title={`Voicemail · ${formatDuration(vm.durationSeconds)}`}>
      <Stack gap="xs">
        {vm.transcript && <Text size="sm">“{vm.transcript}”</Text>}
        {vm.hasAudio ? (
          src ? (
            <audio controls autoPlay src={src} aria-label="Voicemail recording" style={{ width: '100%' }} />
          ) : (
            <Group>
              <Button size="xs" leftSection={<IconPlayerPlay size={14} />} onClick={load} loading={loading}>
                Play
              </Button>
            </Group>
          )
        ) : (
          <Text size="xs" c="dimmed">
            No recording was kept for this voicemail.
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

import { ActionIcon, Button, Popover, Select, Stack, Text } from '@mantine/core';
import { IconSettings } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useAppDispatch, useAppSelector } from '../app/store';
import { listDevices, playTone, stopTone, type AudioDevices } from './media';
import { sp, type SoftphoneState } from './slice';

type Devices = SoftphoneState['devices'];
const STORAGE_KEY = 'teamline.audioDevices';

/** The devices chosen last time on this computer (device ids are per machine, so they live here, not on the server). */
export function savedDevices(): Partial<Devices> {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Record<string, unknown>;
    const pick = (k: keyof Devices) =>
      typeof raw[k] === 'string' && (raw[k] as string).length <= 200 ? (raw[k] as string) : null;
    return { microphoneId: pick('microphoneId'), speakerId: pick('speakerId'), ringerId: pick('ringerId') };
  } catch {
    return {};
  }
}

const options = (list: MediaDeviceInfo[], fallback: string) => [
  { value: '', label: fallback },
  ...list
    .filter((d) => d.deviceId && d.deviceId !== 'default')
    .map((d, i) => ({ value: d.deviceId, label: d.label || `Device ${i + 1}` })),
];

/** Microphone, speaker for calls, and a separate ringer (e.g. the laptop's speaker while calls go to a headset). */
export function AudioSettings() {
  const dispatch = useAppDispatch();
  const devices = useAppSelector((s) => s.softphone.devices);
  const [opened, setOpened] = useState(false);
  const [found, setFound] = useState<AudioDevices | null>(null);
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    if (!opened) return;
    const load = () => void listDevices().then(setFound, () => setFound({ microphones: [], speakers: [] }));
    load();
    navigator.mediaDevices?.addEventListener('devicechange', load);
    return () => navigator.mediaDevices?.removeEventListener('devicechange', load);
  }, [opened]);

  const choose = (patch: Partial<Devices>) => {
    dispatch(sp.devicesChanged(patch));
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...devices, ...patch }));
  };
  const canRoute = 'setSinkId' in HTMLMediaElement.prototype;

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow trapFocus width={280}>
      <Popover.Target>
        <ActionIcon variant="subtle" color="gray" aria-label="Audio settings" onClick={() => setOpened((o) => !o)}>
          <IconSettings size={18} />
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text fw={600} size="sm">
            Audio
          </Text>
          <Select
            size="xs"
            label="Microphone"
            data={options(found?.microphones ?? [], 'System default')}
            value={devices.microphoneId ?? ''}
            onChange={(v) => choose({ microphoneId: v || null })}
            allowDeselect={false}
            comboboxProps={{ withinPortal: false }}
          />
          <Select
            size="xs"
            label="Speaker (calls)"
            data={options(found?.speakers ?? [], 'System default')}
            value={devices.speakerId ?? ''}
            onChange={(v) => choose({ speakerId: v || null })}
            disabled={!canRoute}
            allowDeselect={false}
            comboboxProps={{ withinPortal: false }}
          />
          <Select
            size="xs"
            label="Ringer"
            data={options(found?.speakers ?? [], 'Same as speaker')}
            value={devices.ringerId ?? ''}
            onChange={(v) => choose({ ringerId: v || null })}
            disabled={!canRoute}
            allowDeselect={false}
            comboboxProps={{ withinPortal: false }}
          />
          {!canRoute && (
            <Text size="xs" c="dimmed">
              This browser plays all sound on the system output.
            </Text>
          )}
          <Button
            size="xs"
            variant="light"
            onClick={() => {
              if (testing) stopTone('ringtone');
              else void playTone('ringtone', devices.ringerId ?? devices.speakerId);
              setTesting(!testing);
            }}
          >
            {testing ? 'Stop the ringtone' : 'Play the ringtone'}
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

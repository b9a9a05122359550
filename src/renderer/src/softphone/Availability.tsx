import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useEffect } from 'react';
import { availabilities, type Availability } from '../../../shared/primitives';
import { useAppDispatch, useAppSelector } from '../app/store';
import { notifyError } from '../ui/notify';
import { presenceColor, presenceLabel, useSetAvailabilityMutation } from './directoryApi';
import { sp } from './slice';

const STORAGE_KEY = 'teamline.availability';

/** What the user chose last on this computer: the phone service keeps it in memory, so the app tells it again on start. */
export function savedAvailability(): Availability {
  const raw = localStorage.getItem(STORAGE_KEY);
  return (availabilities as readonly string[]).includes(raw ?? '') ? (raw as Availability) : 'available';
}

/**
 * Tells the phone service the user's availability whenever the phone
 * registers (at start, and after the service or the network came back).
 */
export function useAvailabilitySync(enabled: boolean) {
  const dispatch = useAppDispatch();
  const registered = useAppSelector((s) => s.softphone.registration.status === 'registered');
  const [setAvailability] = useSetAvailabilityMutation();
  useEffect(() => {
    if (!enabled) return;
    dispatch(sp.availability(savedAvailability()));
  }, [enabled, dispatch]);
  useEffect(() => {
    if (!enabled || !registered) return;
    void setAvailability(savedAvailability());
  }, [enabled, registered, setAvailability]);
}

/** Available, Do not disturb or Away, set from the phone. */
export function AvailabilityPicker() {
  const dispatch = useAppDispatch();
  const availability = useAppSelector((s) => s.softphone.availability);
  const [setAvailability, state] = useSetAvailabilityMutation();

  async function choose(next: Availability) {
    const before = availability;
    dispatch(sp.availability(next));
    const r = await setAvailability(next);
    if ('error' in r) {
      dispatch(sp.availability(before));
      return notifyError(r.error, 'Availability not changed');
    }
    localStorage.setItem(STORAGE_KEY, next);
  }

  return (
    <Stack gap={4}>
      <Text size="xs" fw={500} id="availability-label">
        Availability
      </Text>
      <SegmentedControl
        size="xs"
        fullWidth
        aria-labelledby="availability-label"
        value={availability}
        onChange={(v) => void choose(v as Availability)}
        disabled={state.isLoading}
        color={presenceColor[availability]}
        data={availabilities.map((a) => ({ value: a, label: presenceLabel[a] }))}
      />
      {availability === 'dnd' && (
        <Text size="xs" c="dimmed">
          Your phone does not ring: group calls go to your teammates, calls for you to your voicemail.
        </Text>
      )}
    </Stack>
  );
}

import { ActionIcon, Badge, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPlayerRecord, IconPlayerStop } from '@tabler/icons-react';
import { useEffect, useId, useState } from 'react';
import type { LiveRecording } from '../../../shared/api/recordings';
import { call, isApiError } from '../app/api';
import { useSoftphone } from './runtime';
import type { Line } from './slice';

/** How often, a second apart, to ask again while the phone service has not heard of the answer yet. */
const ANSWER_TRIES = 4;
/** Then, while the call lasts, how often to ask again: the other party may press Record or Stop too. */
const REFRESH_MS = 3000;

/**
 * Record, during a connected call whose line records on demand: the phone
 * service starts the relay's recording from now to the end of the call, and
 * the other party hears nothing new. Whether the call may be recorded, and
 * why not, comes from the phone service (liveRecording.get), which decides.
 * Stop (on-demand recordings only) leaves out what follows until Record is
 * pressed again, which continues the same recording. The Recording badge
 * shows the parties that the call is being recorded, whoever started it.
 */
export function RecordButton(props: { line: Line }) {
  const { line } = props;
  const phone = useSoftphone();
  const sipCallId = phone?.sipCallId(line.id) ?? null;
  const live = line.state === 'established' || line.state === 'held';
  const [info, setInfo] = useState<LiveRecording | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonId = useId();

  useEffect(() => {
    if (!sipCallId || !live) return;
    let stopped = false;
    let timer = 0;
    let tries = 0;
    const ask = async () => {
      try {
        const r = await call('liveRecording.get', { sipCallId });
        if (stopped) return;
        setInfo(r);
        // The proxy tells the phone service of the answer as the phone hears it: the first ask may be early.
        if (r.mode === null && ++tries < ANSWER_TRIES) timer = window.setTimeout(() => void ask(), 1000);
        else if (r.mode !== null) timer = window.setTimeout(() => void ask(), REFRESH_MS);
      } catch {
        // Not connected to the console: no button rather than a wrong one.
      }
    };
    void ask();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [sipCallId, live]);

  if (!live || !sipCallId || !info) return null;
  const recording = info.recording;
  const reason = recording
    ? info.mode === 'always'
      ? (info.stopReason ?? info.reason ?? 'This call is recorded.')
      : 'Recording until the call ends, or until Stop.'
    : info.canStart
      ? null
      : (info.reason ?? 'This call cannot be recorded.');
  const change = async (method: 'liveRecording.start' | 'liveRecording.stop') => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      setInfo(await call(method, { sipCallId }));
    } catch (e) {
      const fallback = method === 'liveRecording.start' ? 'Recording did not start.' : 'Recording did not stop.';
      setError(isApiError(e) ? e.message : fallback);
    } finally {
      setBusy(false);
    }
  };
  const start = async () => {
    if (info.canStart) await change('liveRecording.start');
  };
  const unavailable = !info.canStart || busy;
  return (
    <>
      <Tooltip
        label={reason ?? (info.paused ? 'Continue recording this call' : 'Record this call from now on')}
        multiline
        maw={260}
      >
        <ActionIcon
          variant={recording ? 'filled' : 'default'}
          color={recording ? 'red' : undefined}
          size="lg"
          aria-label="Record"
          aria-pressed={recording}
          aria-disabled={unavailable || undefined}
          aria-describedby={reason ? reasonId : undefined}
          data-disabled={(!recording && unavailable) || undefined}
          loading={busy}
          onClick={(e) => {
            // Kept focusable while unavailable, so its reason can be read; a click does nothing then.
            e.preventDefault();
            void start();
          }}
        >
          <IconPlayerRecord size={16} />
        </ActionIcon>
      </Tooltip>
      {reason && <VisuallyHidden id={reasonId}>{reason}</VisuallyHidden>}
      {info.canStop && (
        <Tooltip label="Stop recording: what follows is left out until you press Record again" multiline maw={260}>
          <ActionIcon
            variant="default"
            size="lg"
            aria-label="Stop recording"
            loading={busy}
            onClick={() => void change('liveRecording.stop')}
          >
            <IconPlayerStop size={16} />
          </ActionIcon>
        </Tooltip>
      )}
      {/* Always in the page while the call is up, so screen readers announce each change of it. */}
      <span role="status">
        {recording ? (
          <Badge color="red" variant="filled">
            Recording
          </Badge>
        ) : info.paused ? (
          <Badge color="gray" variant="light">
            Recording stopped
          </Badge>
        ) : null}
      </span>
      {error && (
        <Text size="xs" c="red" role="alert" w="100%">
          {error}
        </Text>
      )}
    </>
  );
}

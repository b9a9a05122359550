import { ActionIcon, Alert, Button, Group, Modal, NativeSelect, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { IconDownload, IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { CallRecordings, Recording } from '../../../../shared/api/recordings';
import { call } from '../../app/api';
import { formatDateTime } from '../../ui/format';
import { notifyError, notifySaved } from '../../ui/notify';
import { useCallRecordingsQuery, useDeleteRecordingMutation } from './api';

const speeds = ['0.75', '1', '1.25', '1.5', '2'] as const;

/** m:ss of a time in seconds. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A recording's audio, read a part at a time. The first request opens it,
 * which the main process records in the audit log (play or download); the
 * handle it gives reads the rest.
 */
async function fetchAudio(recordingId: number, purpose: 'play' | 'download'): Promise<Blob> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  let handle: string | undefined;
  for (;;) {
    const part = await call('recordings.audio', { recordingId, purpose, offset, ...(handle ? { handle } : {}) });
    handle = part.handle;
    const bytes = Uint8Array.from(atob(part.base64), (ch) => ch.charCodeAt(0));
    parts.push(bytes);
    offset += bytes.length;
    if (part.done || bytes.length === 0) return new Blob(parts as BlobPart[], { type: part.mime });
  }
}

/** The waveform: bars of the recording's loudness, the played part in the accent colour. */
function Waveform(props: { peaks: readonly number[] | null; progress: number }) {
  const peaks = props.peaks && props.peaks.length > 0 ? props.peaks : new Array<number>(80).fill(0.15);
  const width = peaks.length * 3;
  const played = Math.round(props.progress * peaks.length);
  return (
    <svg
      viewBox={`0 0 ${width} 40`}
      preserveAspectRatio="none"
      width="100%"
      height={48}
      aria-hidden="true"
      focusable="false"
    >
      {peaks.map((p, i) => {
        const h = Math.max(2, p * 38);
        return (
          <rect
            key={i}
            x={i * 3}
            y={20 - h / 2}
            width={2}
            height={h}
            rx={1}
            fill={i < played ? 'var(--mantine-primary-color-filled)' : 'var(--mantine-color-dimmed)'}
          />
        );
      })}
    </svg>
  );
}

/** One recording: waveform with seek, play and pause, speed, and download and delete when allowed. */
function Player(props: { recording: Recording; canDownload: boolean; canDelete: boolean; index: number }) {
  const r = props.recording;
  const audio = useRef<HTMLAudioElement>(null);
  const [src, setSrc] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [speed, setSpeed] = useState<(typeof speeds)[number]>('1');
  const [downloading, setDownloading] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [remove, removing] = useDeleteRecordingMutation();
  const duration = r.durationMs / 1000;
  const label = `Recording ${props.index + 1}`;

  useEffect(
    () => () => {
      if (src) URL.revokeObjectURL(src);
    },
    [src],
  );
  useEffect(() => {
    if (audio.current) audio.current.playbackRate = Number(speed);
  }, [speed, src]);

  /** The audio element, loaded on first use (opening it is audited). */
  async function ready(): Promise<HTMLAudioElement | null> {
    if (src && audio.current) return audio.current;
    setLoading(true);
    try {
      const blob = await fetchAudio(r.id, 'play');
      const url = URL.createObjectURL(blob);
      setSrc(url);
      const el = audio.current!;
      el.src = url;
      el.playbackRate = Number(speed);
      return el;
    } catch (e) {
      notifyError(e, 'Could not play this recording');
      return null;
    } finally {
      setLoading(false);
    }
  }

  async function toggle() {
    const el = await ready();
    if (!el) return;
    if (el.paused) {
      try {
        await el.play();
      } catch (e) {
        notifyError(e, 'Could not play this recording');
      }
    } else el.pause();
  }

  async function seekTo(seconds: number) {
    const target = Math.max(0, Math.min(duration, seconds));
    setTime(target);
    const el = await ready();
    if (el) el.currentTime = target;
  }

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    void seekTo(((e.clientX - box.left) / box.width) * duration);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -15, PageUp: 15 }[e.key];
    if (step !== undefined) void seekTo(time + step);
    else if (e.key === 'Home') void seekTo(0);
    else if (e.key === 'End') void seekTo(duration);
    else if (e.key === ' ' || e.key === 'Enter') void toggle();
    else return;
    e.preventDefault();
  };

  async function download() {
    setDownloading(true);
    try {
      const blob = await fetchAudio(r.id, 'download');
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `call-${r.callId}-recording-${props.index + 1}.wav`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      notifyError(e, 'Could not download this recording');
    } finally {
      setDownloading(false);
    }
  }

  async function confirmDelete() {
    try {
      await remove({ recordingId: r.id }).unwrap();
      setConfirming(false);
      notifySaved('Recording deleted.');
    } catch (e) {
      notifyError(e, 'Recording not deleted');
    }
  }

  return (
    <Stack gap={6} aria-label={label} role="group">
      <Group gap="xs" wrap="nowrap">
        <ActionIcon
          size="lg"
          radius="xl"
          variant="filled"
          onClick={() => void toggle()}
          loading={loading}
          aria-label={playing ? `Pause ${label.toLowerCase()}` : `Play ${label.toLowerCase()}`}
        >
          {playing ? <IconPlayerPause size={18} /> : <IconPlayerPlay size={18} />}
        </ActionIcon>
        <div
          role="slider"
          tabIndex={0}
          aria-label={`Position in ${label.toLowerCase()}`}
          aria-valuemin={0}
          aria-valuemax={Math.round(duration)}
          aria-valuenow={Math.round(time)}
          aria-valuetext={`${clock(time)} of ${clock(duration)}`}
          onClick={onClick}
          onKeyDown={onKey}
          style={{ flex: 1, cursor: 'pointer', minWidth: 0 }}
        >
          <Waveform peaks={r.waveform} progress={duration > 0 ? time / duration : 0} />
        </div>
      </Group>
      <Group justify="space-between" gap="xs">
        <Text size="xs" className="tabular" data-testid="recording-time">
          {clock(time)} / {clock(duration)}
        </Text>
        <Group gap="xs">
          <NativeSelect
            size="xs"
            aria-label={`Speed of ${label.toLowerCase()}`}
            data={speeds.map((s) => ({ value: s, label: `${s}×` }))}
            value={speed}
            onChange={(e) => setSpeed(e.currentTarget.value as (typeof speeds)[number])}
          />
          {props.canDownload && (
            <Tooltip label="Download the WAV file (recorded in the audit log)">
              <Button
                size="compact-sm"
                variant="default"
                leftSection={<IconDownload size={14} />}
                loading={downloading}
                onClick={() => void download()}
              >
                Download
              </Button>
            </Tooltip>
          )}
          {props.canDelete && (
            <Button
              size="compact-sm"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={() => setConfirming(true)}
            >
              Delete
            </Button>
          )}
        </Group>
      </Group>
      <Text size="xs" c="dimmed">
        Recorded {formatDateTime(r.startedAt)}
        {r.startedByName ? ` · started by ${r.startedByName}` : ''}
      </Text>
      <audio
        ref={audio}
        preload="auto"
        aria-label={label}
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        onTimeUpdate={(e) => setTime(e.currentTarget.currentTime)}
        style={{ display: 'none' }}
      />
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Delete this recording?" centered>
        <Stack>
          <Text size="sm">
            The recording and its file are deleted for everyone and cannot be restored. The call, its notes and tags
            stay. The deletion is recorded in the audit log.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
            <Button color="red" loading={removing.isLoading} onClick={() => void confirmDelete()}>
              Delete recording
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

const stateText: Record<Exclude<CallRecordings['state'], 'recorded'>, string> = {
  none: 'This call was not recorded.',
  recording: 'The recording is being saved; it appears here when it is ready.',
  failed: 'Recording failed — the call was not recorded.',
  deleted: 'The recording of this call was deleted.',
};

/** The recordings section of a call's details. */
export function CallRecordingsPanel(props: { callId: number }) {
  const q = useCallRecordingsQuery(props.callId);
  const d = q.data;
  if (!d) return null;
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby={`call-${props.callId}-recording`}>
      <Stack gap="xs">
        <Text fw={600} size="sm" id={`call-${props.callId}-recording`}>
          Recording
        </Text>
        {d.recordings.length === 0 ? (
          d.state === 'failed' ? (
            <Alert color="red" variant="light" p="xs">
              <Text size="sm">{stateText.failed}</Text>
            </Alert>
          ) : (
            <Text size="sm" c="dimmed">
              {stateText[d.state === 'recorded' ? 'deleted' : d.state]}
            </Text>
          )
        ) : (
          d.recordings.map((r, i) => (
            <Player key={r.id} recording={r} index={i} canDownload={d.canDownload} canDelete={d.canDelete} />
          ))
        )}
      </Stack>
    </Paper>
  );
}

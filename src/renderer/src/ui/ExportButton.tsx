import { Button, Group, Progress, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import type { ExportProgress } from '../../../shared/api/bridge';
import type { Input } from '../../../shared/api/contract';
import { bridge, call } from '../app/api';
import { notifyError, notifySaved } from './notify';

type Kind = Input<'exports.prepare'>['kind'];
type Filter = Input<'exports.prepare'>['filter'];

const nouns: Record<Kind, [string, string]> = {
  calls: ['call', 'calls'],
  audit: ['event', 'events'],
  messages: ['message', 'messages'],
};

const count = (n: number, kind: Kind) => `${n.toLocaleString('en-US')} ${nouns[kind][n === 1 ? 0 : 1]}`;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Export of a list as CSV, any size. The main process issues a one-time
 * ticket for exactly this filter (exports.prepare, which refuses a filter or
 * list this user may not use before anything is saved); the file is then
 * written by the host as the rows are read, never held here: the desktop app
 * asks where to save and reports rows and bytes as they are written, with
 * Cancel; the browser downloads `/export/<ticket>`, and its own download
 * panel shows progress and offers cancel.
 */
export function ExportButton({ kind, filter, label = 'Export CSV' }: { kind: Kind; filter: Filter; label?: string }) {
  const [preparing, setPreparing] = useState(false);
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const token = useRef<string | null>(null);

  // Leaving the page stops a desktop export (no file is left behind).
  useEffect(
    () => () => {
      if (token.current) bridge.cancelExport?.(token.current);
    },
    [],
  );

  async function start() {
    setPreparing(true);
    let ticket: { token: string; filename: string };
    try {
      ticket = await call('exports.prepare', { kind, filter });
    } catch (error) {
      return notifyError(error, 'Export failed');
    } finally {
      setPreparing(false);
    }
    if (!bridge.saveExport) {
      const a = document.createElement('a');
      a.href = `/export/${ticket.token}`;
      a.download = ticket.filename;
      document.body.append(a);
      a.click();
      a.remove();
      notifySaved(`Downloading ${ticket.filename}: your browser shows its progress.`);
      return;
    }
    token.current = ticket.token;
    setProgress({ token: ticket.token, state: 'running', rows: 0, bytes: 0, total: null });
    try {
      const end = await bridge.saveExport(ticket.token, setProgress, ticket.filename);
      if (end.state === 'done') notifySaved(`Exported ${count(end.rows, kind)} to ${end.file ?? ticket.filename}.`);
      else if (end.state === 'failed') notifyError({ message: end.message }, 'Export failed');
      else if (end.rows > 0) notifySaved('Export cancelled; no file was saved.');
    } finally {
      token.current = null;
      setProgress(null);
    }
  }

  if (progress) {
    const { rows, bytes = 0, total } = progress;
    return (
      <Group gap="xs" wrap="nowrap" role="status" aria-label="Export progress">
        <div style={{ minWidth: 180 }}>
          <Text size="xs">
            {rows === 0 && bytes === 0
              ? 'Choose where to save…'
              : // The total of a long list is an estimate (calls.count).
                `Exporting ${count(rows, kind)}${total && total > rows ? ` of about ${total.toLocaleString('en-US')}` : ''} · ${size(bytes)}`}
          </Text>
          <Progress size="xs" value={total ? Math.min(100, (rows / total) * 100) : 100} animated={!total} aria-hidden />
        </div>
        <Button variant="default" size="xs" onClick={() => bridge.cancelExport?.(progress.token)}>
          Cancel export
        </Button>
      </Group>
    );
  }
  return (
    <Button
      variant="default"
      size="xs"
      leftSection={<IconDownload size={14} />}
      onClick={() => void start()}
      loading={preparing}
    >
      {label}
    </Button>
  );
}

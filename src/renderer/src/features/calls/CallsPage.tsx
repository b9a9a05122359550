import { Box, Button, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useCallback, useMemo, useState } from 'react';
import type { PageComponent } from '../../app/sections';
import { navigate } from '../../app/router';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { VirtualList } from '../../ui/VirtualList';
import { notifyError, notifySaved } from '../../ui/notify';
import { accessLabel } from '../../ui/format';
import { useCallsInfiniteQuery, useExportCallsMutation, type CallFilterInput } from './api';
import { CallDetailPanel } from './CallDetail';
import { CallFilters } from './CallFilters';
import { CallRowView } from './CallRowView';

/** Saves text as a file in both hosts (Electron and the browser). */
export function download(filename: string, text: string, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const CallsPage: PageComponent = ({ id, me }) => {
  const [filter, setFilter] = useState<CallFilterInput>({});
  const q = useCallsInfiniteQuery(filter);
  const [exportCalls, exporting] = useExportCallsMutation();
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const selected = id ? Number(id) : null;
  const loadMore = useCallback(() => void q.fetchNextPage(), [q]);
  const onFilter = useCallback((f: CallFilterInput) => setFilter(f), []);

  async function exportCsv() {
    const r = await exportCalls(filter);
    if ('error' in r) return notifyError(r.error, 'Export failed');
    download(r.data.filename, r.data.csv);
    notifySaved(`Exported ${r.data.rows} calls${r.data.truncated ? ' (the first 10,000; narrow the filter for the rest)' : ''}.`);
  }

  const access = me.user.access?.callAccess;
  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <Box style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
        <PageHeader
          title="Calls"
          description={access ? `Everything your call access (${accessLabel[access]}) lets you see.` : undefined}
          actions={
            <Button variant="default" size="xs" leftSection={<IconDownload size={14} />} onClick={exportCsv} loading={exporting.isLoading}>
              Export CSV
            </Button>
          }
        />
        <CallFilters value={filter} onChange={onFilter} />
        <Box style={{ flex: 1, minHeight: 0, borderTop: '1px solid var(--mantine-color-default-border)' }}>
          <QueryState
            loading={q.isLoading}
            error={q.error}
            onRetry={q.refetch}
            empty={items.length === 0}
            emptyTitle={Object.keys(filter).length > 0 ? 'No calls match these filters' : 'No calls yet'}
            emptyText={Object.keys(filter).length > 0 ? 'Try clearing a filter.' : 'Calls you can see will show up here.'}
          >
            <VirtualList
              label="Calls"
              items={items}
              rowHeight={58}
              hasMore={q.hasNextPage}
              loadingMore={q.isFetchingNextPage}
              onLoadMore={loadMore}
              getKey={(c) => c.id}
              renderRow={(c) => <CallRowView call={c} selected={c.id === selected} onOpen={() => navigate('calls', c.id)} />}
            />
          </QueryState>
        </Box>
        {items.length > 0 && (
          <Text size="xs" c="dimmed" px="lg" py={4} style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
            {items.length.toLocaleString()} shown{q.hasNextPage ? ' · scroll for more' : ''}
          </Text>
        )}
      </Box>
      {selected !== null && (
        <Box w={400} style={{ borderLeft: '1px solid var(--mantine-color-default-border)', minHeight: 0 }}>
          <CallDetailPanel callId={selected} onClose={() => navigate('calls')} />
        </Box>
      )}
    </Box>
  );
};

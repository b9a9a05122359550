import { Box } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { PageComponent } from '../../app/sections';
import { navigate, useRoute } from '../../app/router';
import { callFilterFromParams } from '../dashboard/callsLink';
import { PageHeader } from '../../ui/PageHeader';
import { PagedList } from '../../ui/PagedList';
import { ExportButton } from '../../ui/ExportButton';
import { accessLabel } from '../../ui/format';
import { useCallCountQuery, useCallsInfiniteQuery, type CallFilterInput } from './api';
import { CallDetailPanel } from './CallDetail';
import { CallFilters } from './CallFilters';
import { CallRowView } from './CallRowView';

/** Closes a call's details and puts focus back on its row (or on the list, when the row has scrolled away). */
function closeDetail(callId: number) {
  navigate('calls');
  window.requestAnimationFrame(() => {
    const row = document.querySelector<HTMLElement>(`[data-call-id="${callId}"]`);
    (row ?? document.getElementById('main-content'))?.focus();
  });
}

/** "1,284 calls", or "about 12,000 calls" when the count is an estimate. */
export function callCount(c: { count: number; estimated: boolean }): string {
  const n = c.count.toLocaleString('en-US');
  const noun = c.count === 1 ? 'call' : 'calls';
  return c.estimated ? `about ${n} ${noun}` : `${n} ${noun}`;
}

export const CallsPage: PageComponent = ({ id, me }) => {
  // A link (a dashboard chart, a tag) may carry the filter in the route's query.
  const query = useRoute().params.toString();
  const [filter, setFilter] = useState<CallFilterInput>(() => callFilterFromParams(new URLSearchParams(query)));
  const [linked, setLinked] = useState(query);
  if (query !== linked) {
    setLinked(query);
    if (query) setFilter(callFilterFromParams(new URLSearchParams(query)));
  }
  const q = useCallsInfiniteQuery(filter);
  const count = useCallCountQuery(filter);
  const selected = id ? Number(id) : null;
  const onFilter = useCallback((f: CallFilterInput) => setFilter(f), []);

  const access = me.user.access?.callAccess;
  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <Box style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
        <PageHeader
          title="Calls"
          description={access ? `Everything your call access (${accessLabel[access]}) lets you see.` : undefined}
          actions={<ExportButton kind="calls" filter={filter} />}
        />
        <CallFilters value={filter} onChange={onFilter} />
        <PagedList
          query={q}
          label="Calls"
          rowHeight={58}
          getKey={(c) => c.id}
          renderRow={(c) => (
            <CallRowView call={c} selected={c.id === selected} onOpen={() => navigate('calls', c.id)} />
          )}
          emptyTitle={Object.keys(filter).length > 0 ? 'No calls match these filters' : 'No calls yet'}
          emptyText={Object.keys(filter).length > 0 ? 'Try clearing a filter.' : 'Calls you can see will show up here.'}
          footer={count.data ? callCount(count.data) : null}
        />
      </Box>
      {selected !== null && (
        <Box w={400} style={{ borderLeft: '1px solid var(--mantine-color-default-border)', minHeight: 0 }}>
          <CallDetailPanel callId={selected} onClose={() => closeDetail(selected)} />
        </Box>
      )}
    </Box>
  );
};

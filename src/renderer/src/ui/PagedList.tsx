import { Box, Text } from '@mantine/core';
import { useCallback, useMemo, type ReactNode } from 'react';
import { QueryState } from './QueryState';
import { VirtualList } from './VirtualList';

/** What PagedList reads of an RTK Query infinite query (keyset pages of `items`). */
export interface PagedQuery<T> {
  data?: { pages: readonly { items: readonly T[] }[] } | undefined;
  isLoading: boolean;
  error?: unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
  refetch: () => unknown;
}

/** The rows loaded so far of an infinite query, in list order. */
export function usePagedItems<T>(q: PagedQuery<T>): T[] {
  return useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
}

/**
 * The frame every list page shares: loading, error (with Try again) and
 * empty states, then a virtualised list that asks for the next page as its
 * end comes into view, and under it an optional line (how many match).
 */
export function PagedList<T>(props: {
  query: PagedQuery<T>;
  /** The list's accessible name ("Calls"). */
  label: string;
  rowHeight: number;
  /** Rows change height (opened details): measure each. */
  measured?: boolean;
  getKey: (item: T) => string | number;
  renderRow: (item: T, index: number) => ReactNode;
  emptyTitle: string;
  emptyText?: ReactNode;
  /** Under the list while it has rows: a count, or how to see more. */
  footer?: ReactNode;
}) {
  const { query } = props;
  const items = usePagedItems(query);
  const { fetchNextPage } = query;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  return (
    <Box
      style={{
        flex: 1,
        minHeight: 0,
        display: 'flex',
        flexDirection: 'column',
        borderTop: '1px solid var(--mantine-color-default-border)',
      }}
    >
      <Box style={{ flex: 1, minHeight: 0 }}>
        <QueryState
          loading={query.isLoading}
          error={query.error}
          onRetry={() => void query.refetch()}
          empty={items.length === 0}
          emptyTitle={props.emptyTitle}
          emptyText={props.emptyText}
        >
          <VirtualList
            label={props.label}
            items={items}
            rowHeight={props.rowHeight}
            measured={props.measured}
            hasMore={query.hasNextPage}
            loadingMore={query.isFetchingNextPage}
            onLoadMore={loadMore}
            getKey={props.getKey}
            renderRow={props.renderRow}
          />
        </QueryState>
      </Box>
      {items.length > 0 && props.footer && (
        <Text
          size="xs"
          c="dimmed"
          px="lg"
          py={4}
          style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
          aria-live="polite"
        >
          {props.footer}
        </Text>
      )}
    </Box>
  );
}

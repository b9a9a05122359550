import { Box, Center, Loader } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A virtualised, keyset-paged list: only the visible rows are in the DOM, and
 * the next page is asked for as the end comes into view, so a history of
 * 100,000 rows scrolls as smoothly as one of 100.
 */
export function VirtualList<T>(props: {
  items: readonly T[];
  rowHeight: number;
  /** Rows that change height (an opened detail): each is measured, and rowHeight is only the first guess. */
  measured?: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  getKey: (item: T) => string | number;
  renderRow: (item: T, index: number) => ReactNode;
  label: string;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const { items, hasMore, loadingMore, onLoadMore } = props;
  const virtualizer = useVirtualizer({
    count: items.length + (hasMore ? 1 : 0),
    getScrollElement: () => parent.current,
    estimateSize: () => props.rowHeight,
    overscan: 12,
    getItemKey: (i) => (i < items.length ? props.getKey(items[i] as T) : 'more'),
  });
  const virtualItems = virtualizer.getVirtualItems();
  const last = virtualItems[virtualItems.length - 1];

  useEffect(() => {
    if (last && last.index >= items.length - 1 && hasMore && !loadingMore) onLoadMore();
  }, [last, items.length, hasMore, loadingMore, onLoadMore]);

  return (
    <Box
      ref={parent}
      style={{ height: '100%', overflowY: 'auto', contain: 'strict' }}
      role="list"
      aria-label={props.label}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
        {virtualItems.map((v) => (
          <div
            key={v.key}
            data-index={v.index}
            ref={props.measured ? virtualizer.measureElement : undefined}
            role="listitem"
            style={{
              position: 'absolute',
              top: 0,
              left: 0,
              width: '100%',
              ...(props.measured ? {} : { height: v.size }),
              transform: `translateY(${v.start}px)`,
            }}
          >
            {v.index < items.length ? (
              props.renderRow(items[v.index] as T, v.index)
            ) : (
              <Center h={props.measured ? props.rowHeight : '100%'}>
                <Loader size="xs" aria-label="Loading more" />
              </Center>
            )}
          </div>
        ))}
      </div>
    </Box>
  );
}

import { UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * One row of a master–detail list (a conversation, a voicemail): the whole
 * row opens it, and the open one is marked for the eye and for screen
 * readers (`aria-current`). `data` names the row for tests and scripts,
 * e.g. `{ 'data-thread-id': 7 }`.
 */
export function ListRow(props: {
  selected: boolean;
  onOpen: () => void;
  px: 'md' | 'lg';
  data: Record<`data-${string}`, string | number>;
  children: ReactNode;
}) {
  return (
    <UnstyledButton
      onClick={props.onOpen}
      w="100%"
      h="100%"
      px={props.px}
      {...props.data}
      aria-current={props.selected ? 'true' : undefined}
      style={{
        borderBottom: '1px solid var(--mantine-color-default-border)',
        background: props.selected ? 'var(--mantine-primary-color-light)' : undefined,
      }}
    >
      {props.children}
    </UnstyledButton>
  );
}

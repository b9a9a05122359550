import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconInbox } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { ApiError } from '../../../shared/result';

/** The loading, error and empty states every list and page shares. */
export function QueryState(props: {
  loading: boolean;
  error: unknown;
  empty?: boolean;
  emptyTitle?: string;
  emptyText?: ReactNode;
  onRetry?: () => void;
  children: ReactNode;
}) {
  if (props.loading) {
    return (
      <Center py="xl" aria-busy="true">
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  }
  if (props.error) {
    const message = (props.error as Partial<ApiError>).message ?? 'Something went wrong.';
    return (
      <Alert color="red" icon={<IconAlertTriangle size={18} />} title="Could not load this" m="md" role="alert">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{message}</Text>
          {props.onRetry && (
            <Button size="xs" variant="light" onClick={props.onRetry}>
              Try again
            </Button>
          )}
        </Stack>
      </Alert>
    );
  }
  if (props.empty) {
    return (
      <Center py={48}>
        <Stack align="center" gap={6} maw={380}>
          <IconInbox size={32} stroke={1.4} opacity={0.5} />
          <Text fw={600}>{props.emptyTitle ?? 'Nothing here yet'}</Text>
          {props.emptyText && (
            <Text size="sm" c="dimmed" ta="center">
              {props.emptyText}
            </Text>
          )}
        </Stack>
      </Center>
    );
  }
  return <>{props.children}</>;
}

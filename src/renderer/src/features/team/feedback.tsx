import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ApiError } from '../../../../shared/result';
import { fieldErrors } from '../../ui/notify';

type Reply = { data: unknown; error?: undefined } | { data?: undefined; error: unknown };

/**
 * One form's answer from the API: the field errors of an `invalid` reply for
 * its inputs, and the refusal message, verbatim, for the form itself.
 * Success is only ever claimed for an `ok` reply.
 */
export function useFeedback() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [refusal, setRefusal] = useState<string | null>(null);

  async function handle<R extends Reply>(
    reply: PromiseLike<R>,
    onOk: (value: NonNullable<R['data']>) => void,
  ): Promise<boolean> {
    const r = await reply;
    if (r.error !== undefined || r.data === undefined) {
      setErrors(fieldErrors(r.error));
      setRefusal((r.error as Partial<ApiError> | undefined)?.message ?? 'Something went wrong.');
      return false;
    }
    setErrors({});
    setRefusal(null);
    onOk(r.data as NonNullable<R['data']>);
    return true;
  }

  const clear = () => {
    setErrors({});
    setRefusal(null);
  };
  /** Wraps a setter so that editing the form again hides the last refusal. */
  const editing =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      clear();
      set(value);
    };
  return { errors, refusal, handle, clear, editing };
}

/** The API's reason for refusing, as it wrote it. */
export function Refusal(props: { message: string | null; title?: string }) {
  if (!props.message) return null;
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={16} />}
      title={props.title ?? 'Not saved'}
      py="xs"
    >
      <Text size="sm">{props.message}</Text>
    </Alert>
  );
}

/** Why a control is locked for this viewer. */
export function LockedNote(props: { children: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <IconLock size={14} style={{ marginTop: 3, flexShrink: 0 }} opacity={0.6} aria-hidden />
      <Text size="sm" c="dimmed">
        {props.children}
      </Text>
    </Group>
  );
}

/** Styles a group label as the heading of its card section. */
export const headingLabel = {
  label: { fontWeight: 650, fontSize: 'var(--mantine-font-size-sm)' },
  description: { marginBottom: 6 },
};

/** A bordered part of the user card that saves on its own. */
export function CardSection(props: {
  title: string;
  description?: ReactNode;
  /** The first control's own label is the heading (a radio group named like the section). */
  hideHeading?: boolean;
  onSubmit?: () => void;
  saveLabel?: string;
  saving?: boolean;
  dirty?: boolean;
  refusal?: string | null;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit?.();
  };
  const editable = Boolean(props.onSubmit && props.saveLabel);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={props.title}>
      <Stack gap="sm" component={editable ? 'form' : 'div'} onSubmit={editable ? submit : undefined}>
        {!props.hideHeading && (
          <Stack gap={2}>
            <Title order={4} fz="sm">
              {props.title}
            </Title>
            {props.description && (
              <Text size="xs" c="dimmed">
                {props.description}
              </Text>
            )}
          </Stack>
        )}
        {props.children}
        <Refusal message={props.refusal ?? null} />
        {editable && (
          <Group justify="flex-end">
            <Button type="submit" size="xs" loading={props.saving} disabled={props.dirty === false}>
              {props.saveLabel}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

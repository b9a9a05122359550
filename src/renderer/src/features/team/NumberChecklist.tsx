import { Checkbox, Stack, Text } from '@mantine/core';
import type { BusinessNumber } from '../../../../shared/api/entities';

/**
 * A checkbox per business number the viewer may see, named by its formatted
 * number. Numbers the user already has that the viewer cannot see stay
 * checked and locked: the viewer may not give them, and keeping them is not
 * the viewer's call to silently undo.
 */
export function NumberChecklist(props: {
  label: string;
  description?: string;
  numbers: readonly BusinessNumber[];
  value: readonly number[];
  onChange: (ids: number[]) => void;
  disabled?: boolean;
  error?: string | undefined;
}) {
  const visible = new Set(props.numbers.map((n) => n.id));
  const locked = props.value.filter((id) => !visible.has(id));

  return (
    <Checkbox.Group
      label={props.label}
      description={props.description}
      value={props.value.map(String)}
      onChange={(v) => props.onChange([...locked, ...v.map(Number).filter((id) => visible.has(id))])}
      error={props.error}
    >
      <Stack gap={6} mt={6}>
        {props.numbers.length === 0 && locked.length === 0 && (
          <Text size="sm" c="dimmed">
            No business numbers are visible to you.
          </Text>
        )}
        {props.numbers.map((n) => (
          <Checkbox
            key={n.id}
            value={String(n.id)}
            label={n.formatted}
            description={n.label || undefined}
            disabled={props.disabled}
            classNames={{ label: 'tabular' }}
          />
        ))}
        {locked.map((id) => (
          <Checkbox
            key={`locked-${id}`}
            value={String(id)}
            disabled
            label="Another number (not visible to you)"
            description="Only someone who sees it can change it."
          />
        ))}
      </Stack>
    </Checkbox.Group>
  );
}

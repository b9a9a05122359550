import { ActionIcon, Checkbox, Group, Input, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconX } from '@tabler/icons-react';
import { useMemo } from 'react';
import type { FlowStep } from '../../../../shared/api/entities';
import { dayNames, hoursSummary, weekOrder } from './flowText';

type Range = { day: number; from: string; to: string };

const fullDay = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

function timeZones(current: string | undefined): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return current && !all.includes(current) ? [current, ...all] : all;
}

/** Time zone and weekly opening hours of a business-hours step. */
export function HoursFields(props: {
  step: FlowStep;
  errors: Record<string, string>;
  readOnly: boolean;
  onChange: (s: FlowStep) => void;
}) {
  const { step, readOnly } = props;
  const zones = useMemo(() => timeZones(step.timezone), [step.timezone]);
  const open = step.open ?? [];
  const set = (next: Range[]) => props.onChange({ ...step, open: next });
  const rangesOf = (day: number) => open.map((r, i) => ({ r, i })).filter((x) => x.r.day === day);

  return (
    <Stack gap="sm">
      <Select
        label="Time zone"
        description="The opening hours are in this time zone."
        searchable
        data={zones}
        value={step.timezone || null}
        onChange={(v) => props.onChange({ ...step, timezone: v ?? '' })}
        error={props.errors.timezone}
        disabled={readOnly}
        nothingFoundMessage="No time zone by that name"
        maxDropdownHeight={240}
      />
      <Input.Wrapper label="Opening hours" description={hoursSummary(open)} error={props.errors.open}>
        <Stack gap={4} mt={6} role="group" aria-label="Opening hours by day">
          {weekOrder.map((day) => {
            const ranges = rangesOf(day);
            return (
              <Group key={day} gap={6} wrap="nowrap" align="center" mih={30}>
                <Checkbox
                  w={58}
                  size="xs"
                  label={dayNames[day]}
                  aria-label={`Open on ${fullDay[day]}`}
                  checked={ranges.length > 0}
                  disabled={readOnly}
                  onChange={(e) =>
                    set(
                      e.currentTarget.checked
                        ? [...open, { day, from: '09:00', to: '17:00' }]
                        : open.filter((r) => r.day !== day),
                    )
                  }
                />
                {ranges.length === 0 ? (
                  <Text size="xs" c="dimmed">
                    Closed
                  </Text>
                ) : (
                  <Stack gap={4}>
                    {ranges.map(({ r, i }, n) => (
                      <Group key={i} gap={4} wrap="nowrap">
                        <TextInput
                          type="time"
                          size="xs"
                          w={120}
                          aria-label={`${fullDay[day]} opens at`}
                          value={r.from}
                          disabled={readOnly}
                          onChange={(e) =>
                            set(open.map((x, j) => (j === i ? { ...x, from: e.currentTarget.value } : x)))
                          }
                        />
                        <Text size="xs" c="dimmed" aria-hidden>
                          to
                        </Text>
                        <TextInput
                          type="time"
                          size="xs"
                          w={120}
                          aria-label={`${fullDay[day]} closes at`}
                          value={r.to}
                          disabled={readOnly}
                          onChange={(e) => set(open.map((x, j) => (j === i ? { ...x, to: e.currentTarget.value } : x)))}
                        />
                        {!readOnly && n > 0 && (
                          <ActionIcon
                            size="sm"
                            variant="subtle"
                            color="gray"
                            aria-label={`Remove this ${fullDay[day]} period`}
                            onClick={() => set(open.filter((_, j) => j !== i))}
                          >
                            <IconX size={12} />
                          </ActionIcon>
                        )}
                        {!readOnly && n === ranges.length - 1 && open.length < 21 && (
                          <ActionIcon
                            size="sm"
                            variant="subtle"
                            color="gray"
                            aria-label={`Add another opening period on ${fullDay[day]}`}
                            onClick={() => set([...open, { day, from: r.to < '13:00' ? '13:00' : r.to, to: '18:00' }])}
                          >
                            <IconPlus size={12} />
                          </ActionIcon>
                        )}
                      </Group>
                    ))}
                  </Stack>
                )}
              </Group>
            );
          })}
        </Stack>
      </Input.Wrapper>
    </Stack>
  );
}

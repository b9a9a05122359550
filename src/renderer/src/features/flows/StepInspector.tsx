import {
  ActionIcon,
  Box,
  Button,
  Group,
  Input,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { IconTrash, IconX } from '@tabler/icons-react';
import { useEffect, useRef } from 'react';
import type { FlowStep, Group as UserGroup, User } from '../../../../shared/api/entities';
import { kindLook } from './FlowDiagram';
import { MENU_KEYS, sortKeys } from './flowModel';
import { keyLabel, kindHelp, kindLabel } from './flowText';
import { HoursFields } from './HoursFields';

interface Props {
  step: FlowStep;
  errors: Record<string, string>;
  warning: string | undefined;
  groups: readonly UserGroup[];
  users: readonly User[];
  readOnly: boolean;
  /** Move the keyboard focus to the first field when shown (the user just picked this step). */
  autoFocus: boolean;
  onChange: (s: FlowStep) => void;
  onRemove: () => void;
  onClose: () => void;
}

const stepCount = (n: number) => (n === 1 ? '1 step' : `${n} steps`);

function MenuKeys(props: Props) {
  const { step } = props;
  const branches = step.branches ?? [];
  const unused = MENU_KEYS.filter((k) => !branches.some((b) => b.key === k));
  return (
    <Input.Wrapper
      label="Keys"
      description="Each key has its own steps, shown under the menu in the flow."
      error={props.errors.branches}
    >
      <Stack gap={4} mt={6}>
        {sortKeys(branches).map((b) => (
          <Group key={b.key} gap={6} justify="space-between" wrap="nowrap">
            <Text size="sm">
              {keyLabel(b.key)}{' '}
              <Text span size="xs" c="dimmed">
                · {stepCount(b.steps.length)}
              </Text>
            </Text>
            {!props.readOnly && (
              <ActionIcon
                size="sm"
                variant="subtle"
                color="red"
                aria-label={`Remove the key “${keyLabel(b.key)}”${b.steps.length ? ` and its ${stepCount(b.steps.length)}` : ''}`}
                onClick={() => props.onChange({ ...step, branches: branches.filter((x) => x.key !== b.key) })}
              >
                <IconX size={14} />
              </ActionIcon>
            )}
          </Group>
        ))}
        {!props.readOnly && unused.length > 0 && (
          <Select
            size="xs"
            aria-label="Add a key"
            placeholder="Add a key…"
            data={unused.map((k) => ({ value: k, label: keyLabel(k) }))}
            value={null}
            onChange={(k) => k && props.onChange({ ...step, branches: sortKeys([...branches, { key: k, steps: [] }]) })}
            mt={4}
          />
        )}
      </Stack>
    </Input.Wrapper>
  );
}

function Mailbox(props: Props) {
  const { step } = props;
  const value = step.groupId !== undefined ? `g${step.groupId}` : step.userId !== undefined ? `u${step.userId}` : null;
  return (
    <Select
      label="Mailbox"
      description="Whose voicemail the message goes to. Leave empty for the shared mailbox."
      placeholder="Shared mailbox"
      clearable
      searchable
      disabled={props.readOnly}
      data={[
        { group: 'Groups', items: props.groups.map((g) => ({ value: `g${g.id}`, label: g.name })) },
        {
          group: 'People',
          items: props.users.map((u) => ({ value: `u${u.id}`, label: `${u.name} (${u.extension})` })),
        },
      ]}
      value={value}
      error={props.errors.box ?? props.errors.groupId ?? props.errors.userId}
      onChange={(v) => {
        const { groupId: _g, userId: _u, ...rest } = step;
        const id = v ? Number(v.slice(1)) : undefined;
        props.onChange(
          v?.startsWith('g') ? { ...rest, groupId: id } : v?.startsWith('u') ? { ...rest, userId: id } : rest,
        );
      }}
    />
  );
}

function RingSeconds(props: Props) {
  return (
    <NumberInput
      label="Ring for"
      suffix=" seconds"
      min={5}
      max={300}
      step={5}
      allowDecimal={false}
      disabled={props.readOnly}
      value={props.step.ringSeconds ?? 30}
      onChange={(v) => props.onChange({ ...props.step, ringSeconds: typeof v === 'number' ? v : Number(v) || 0 })}
      error={props.errors.ringSeconds}
      description="Then the call goes on to the next step."
    />
  );
}

/** The fields of the selected step. */
export function StepInspector(props: Props) {
  const { step, readOnly, errors } = props;
  const look = kindLook[step.kind];
  const section = useRef<HTMLElement>(null);
  // A newly chosen step takes the focus, so the keyboard goes straight to its first field.
  const { autoFocus } = props;
  useEffect(() => {
    if (autoFocus)
      section.current?.querySelector<HTMLElement>('input:not([disabled]), textarea:not([disabled])')?.focus();
  }, [autoFocus]);
  const other = Object.entries(errors).filter(
    ([k]) => !['text', 'timezone', 'open', 'branches', 'groupId', 'userId', 'ringSeconds', 'box'].includes(k),
  );
  return (
    <Box component="section" ref={section} aria-label={`${kindLabel[step.kind]} step`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap={8} wrap="nowrap">
            <ThemeIcon size={30} variant="light" color={look.color} radius="xl" aria-hidden>
              <look.icon size={18} />
            </ThemeIcon>
            <Title order={3} fz="md">
              {kindLabel[step.kind]}
            </Title>
          </Group>
          <ActionIcon variant="subtle" color="gray" aria-label="Close the step editor" onClick={props.onClose}>
            <IconX size={16} />
          </ActionIcon>
        </Group>
        <Text size="xs" c="dimmed">
          {kindHelp[step.kind]}
        </Text>
        {props.warning && (
          <Text size="xs" c="yellow.8">
            {props.warning}
          </Text>
        )}
        {step.kind === 'greeting' && (
          <Textarea
            label="What callers hear"
            autosize
            minRows={2}
            maxLength={500}
            disabled={readOnly}
            value={step.text ?? ''}
            error={errors.text}
            onChange={(e) => props.onChange({ ...step, text: e.currentTarget.value })}
          />
        )}
        {step.kind === 'menu' && (
          <>
            <Textarea
              label="Menu prompt"
              placeholder="For Sales press 1. For Support press 2."
              autosize
              minRows={2}
              maxLength={500}
              disabled={readOnly}
              value={step.text ?? ''}
              error={errors.text}
              onChange={(e) => props.onChange({ ...step, text: e.currentTarget.value })}
            />
            <MenuKeys {...props} />
          </>
        )}
        {step.kind === 'hours' && (
          <HoursFields step={step} errors={errors} readOnly={readOnly} onChange={props.onChange} />
        )}
        {step.kind === 'ring_group' && (
          <>
            <Select
              label="Group"
              placeholder="Choose a group"
              searchable
              disabled={readOnly}
              data={props.groups.map((g) => ({ value: String(g.id), label: `${g.name} (${g.memberIds.length})` }))}
              value={step.groupId !== undefined ? String(step.groupId) : null}
              error={errors.groupId}
              onChange={(v) => props.onChange({ ...step, groupId: v ? Number(v) : undefined })}
              nothingFoundMessage="No group by that name"
            />
            <RingSeconds {...props} />
          </>
        )}
        {step.kind === 'ring_user' && (
          <>
            <Select
              label="Person"
              placeholder="Choose a team member"
              searchable
              disabled={readOnly}
              data={props.users.map((u) => ({ value: String(u.id), label: `${u.name} (${u.extension})` }))}
              value={step.userId !== undefined ? String(step.userId) : null}
              error={errors.userId}
              onChange={(v) => props.onChange({ ...step, userId: v ? Number(v) : undefined })}
              nothingFoundMessage="No active team member by that name"
            />
            <RingSeconds {...props} />
          </>
        )}
        {step.kind === 'voicemail' && (
          <>
            <Mailbox {...props} />
            <Textarea
              label="Prompt (optional)"
              placeholder="Please leave a message after the tone."
              autosize
              minRows={2}
              maxLength={500}
              disabled={readOnly}
              value={step.text ?? ''}
              error={errors.text}
              onChange={(e) => props.onChange({ ...step, text: e.currentTarget.value })}
            />
          </>
        )}
        {other.map(([k, m]) => (
          <Text key={k} size="xs" c="red">
            {m}
          </Text>
        ))}
        {!readOnly && (
          <Group justify="flex-end">
            <Button
              size="xs"
              variant="subtle"
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={props.onRemove}
            >
              Remove step
            </Button>
          </Group>
        )}
      </Stack>
    </Box>
  );
}

import {
  ActionIcon,
  Badge,
  Box,
  Button,
  Group,
  Menu,
  Paper,
  Stack,
  Text,
  ThemeIcon,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconArrowDown,
  IconArrowUp,
  IconClock,
  IconDeviceAudioTape,
  IconDialpad,
  IconPlus,
  IconSpeakerphone,
  IconTrash,
  IconUser,
  IconUsersGroup,
  type Icon,
} from '@tabler/icons-react';
import type { FlowStep } from '../../../../shared/api/entities';
import type { StepErrors } from './flowCheck';
import { pathKey, samePath, sortKeys, stepKinds, type StepKind, type StepPath } from './flowModel';
import { describeStep, keyLabel, kindHelp, kindLabel, type FlowNames } from './flowText';

export const kindLook: Record<StepKind, { icon: Icon; color: string }> = {
  greeting: { icon: IconSpeakerphone, color: 'grape' },
  hours: { icon: IconClock, color: 'orange' },
  menu: { icon: IconDialpad, color: 'blue' },
  ring_group: { icon: IconUsersGroup, color: 'teal' },
  ring_user: { icon: IconUser, color: 'teal' },
  voicemail: { icon: IconDeviceAudioTape, color: 'red' },
};

export interface DiagramProps {
  names: FlowNames;
  selected: StepPath | null;
  errors: StepErrors;
  warnings: Record<string, string>;
  readOnly: boolean;
  onSelect: (path: StepPath) => void;
  onMove: (path: StepPath, delta: -1 | 1) => void;
  onRemove: (path: StepPath) => void;
  onAdd: (listPath: StepPath, kind: StepKind) => void;
  maxSteps: (listPath: StepPath) => number;
}

/** "Add step" for one list of steps: the top level or one branch. */
function AddStep(props: DiagramProps & { at: StepPath; count: number; where: string }) {
  const full = props.count >= props.maxSteps(props.at);
  if (props.readOnly) return null;
  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <Button
          size="compact-xs"
          variant="subtle"
          leftSection={<IconPlus size={12} />}
          disabled={full}
          aria-label={`Add a step ${props.where}`}
          w="fit-content"
          mt={4}
        >
          {full ? 'This list is full' : 'Add step'}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Add a step {props.where}</Menu.Label>
        {stepKinds.map((k) => {
          const L = kindLook[k];
          return (
            <Menu.Item key={k} leftSection={<L.icon size={16} />} onClick={() => props.onAdd(props.at, k)}>
              <Text size="sm">{kindLabel[k]}</Text>
              <Text size="xs" c="dimmed" maw={260}>
                {kindHelp[k]}
              </Text>
            </Menu.Item>
          );
        })}
      </Menu.Dropdown>
    </Menu>
  );
}

function Connector(props: { label?: string }) {
  return (
    <Group gap={6} h={18} pl={12} wrap="nowrap" aria-hidden>
      <IconArrowDown size={14} color="var(--mantine-color-dimmed)" />
      {props.label && (
        <Text size="xs" c="dimmed">
          {props.label}
        </Text>
      )}
    </Group>
  );
}

function StepNode(props: DiagramProps & { step: FlowStep; path: StepPath; index: number; count: number }) {
  const { step, path } = props;
  const look = kindLook[step.kind];
  const text = describeStep(step, props.names);
  const isSelected = samePath(path, props.selected);
  const error = props.errors[pathKey(path)];
  const warning = props.warnings[pathKey(path)];
  const firstError = error ? Object.values(error)[0] : undefined;
  return (
    <Box>
      <Paper
        withBorder
        px={8}
        py={6}
        data-step-path={pathKey(path)}
        style={{
          borderColor: error
            ? 'var(--mantine-color-red-6)'
            : isSelected
              ? 'var(--mantine-primary-color-filled)'
              : undefined,
          background: isSelected ? 'var(--mantine-primary-color-light)' : undefined,
        }}
      >
        <Group gap={8} wrap="nowrap">
          <ThemeIcon size={28} variant="light" color={look.color} radius="xl" aria-hidden>
            <look.icon size={16} />
          </ThemeIcon>
          <UnstyledButton
            style={{ flex: 1, minWidth: 0 }}
            onClick={() => props.onSelect(path)}
            aria-label={`${props.readOnly ? 'Show' : 'Edit'} step: ${text}`}
            aria-current={isSelected ? 'step' : undefined}
          >
            <Text size="sm" fw={500} lh={1.3} style={{ overflowWrap: 'anywhere' }}>
              {text}
            </Text>
            {step.kind === 'menu' && step.text && (
              <Text size="xs" c="dimmed" lineClamp={1}>
                “{step.text}”
              </Text>
            )}
            {firstError && (
              <Text size="xs" c="red">
                {firstError}
              </Text>
            )}
          </UnstyledButton>
          {warning && (
            <Tooltip label={warning} multiline w={260} withArrow>
              <ThemeIcon size={22} variant="transparent" color="yellow" aria-label={`Warning: ${warning}`} role="img">
                <IconAlertTriangle size={16} />
              </ThemeIcon>
            </Tooltip>
          )}
          {!props.readOnly && (
            <Group gap={0} wrap="nowrap">
              <ActionIcon
                variant="subtle"
                color="gray"
                size="sm"
                aria-label={`Move “${text}” up`}
                disabled={props.index === 0}
                onClick={() => props.onMove(path, -1)}
              >
                <IconArrowUp size={14} />
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                color="gray"
                size="sm"
                aria-label={`Move “${text}” down`}
                disabled={props.index === props.count - 1}
                onClick={() => props.onMove(path, 1)}
              >
                <IconArrowDown size={14} />
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                color="red"
                size="sm"
                aria-label={`Remove “${text}”`}
                onClick={() => props.onRemove(path)}
              >
                <IconTrash size={14} />
              </ActionIcon>
            </Group>
          )}
        </Group>
      </Paper>
      {(step.kind === 'menu' || step.kind === 'hours') && (
        <Box ml={13} pl={18} pt={4} style={{ borderLeft: '2px solid var(--mantine-color-default-border)' }}>
          {step.kind === 'menu' && (step.branches ?? []).length === 0 && (
            <Text size="xs" c="dimmed" py={4}>
              No keys yet: select the menu to add some.
            </Text>
          )}
          {sortKeys(step.branches ?? []).map((b) => (
            <Box key={b.key} py={4}>
              <Badge color={step.kind === 'hours' ? 'orange' : 'blue'} variant="light" size="sm" mb={4}>
                {keyLabel(b.key)}
              </Badge>
              <StepList {...props} list={b.steps} at={[...path, b.key]} where={`under “${keyLabel(b.key)}”`} />
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}

/** One list of steps, top to bottom, with arrows between them; branches nest inside their step. */
export function StepList(props: DiagramProps & { list: readonly FlowStep[]; at: StepPath; where: string }) {
  const { list, at } = props;
  return (
    <Stack gap={0}>
      {list.length === 0 && (
        <Text size="xs" c="dimmed" py={2}>
          {at.length === 0 ? 'No steps yet.' : 'No steps: the call ends here.'}
        </Text>
      )}
      {/* Only steps are in the list: a screen reader counts them, and "Add step" follows it. */}
      {list.length > 0 && (
        <Stack gap={0} role="list" aria-label={at.length === 0 ? 'Call flow steps' : `Steps ${props.where}`}>
          {list.map((s, i) => {
            const prev = list[i - 1];
            return (
              <Box key={i} role="listitem">
                {i > 0 && <Connector label={prev?.kind === 'hours' ? 'When open' : undefined} />}
                <StepNode {...props} step={s} path={[...at, i]} index={i} count={list.length} />
              </Box>
            );
          })}
        </Stack>
      )}
      <AddStep {...props} at={at} count={list.length} where={props.where} />
    </Stack>
  );
}

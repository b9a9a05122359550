import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { Alert, Box, Button, Group, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertTriangle, IconDeviceFloppy, IconTrash } from '@tabler/icons-react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { BusinessNumber, CallFlow, FlowStep, Group as UserGroup, User } from '../../../../shared/api/entities';
import { navigate } from '../../app/router';
import { useCreateCallFlowMutation, useDeleteCallFlowMutation, useUpdateCallFlowMutation } from './api';
import { checkFlow, serverStepErrors, type StepErrors } from './flowCheck';
import { StepList } from './FlowDiagram';
import { FlowNumbers } from './FlowNumbers';
import { FlowRecording } from '../recordings/RecordingSettings';
import { FlowPaths } from './FlowPaths';
import {
  MAX_BRANCH_STEPS,
  MAX_TOP_STEPS,
  appendStep,
  cleanStep,
  movedPath,
  moveStep,
  newStep,
  parsePathKey,
  pathKey,
  removeStep,
  stepAt,
  updateStep,
  type StepKind,
  type StepPath,
} from './flowModel';
import type { FlowNames } from './flowText';
import { StepInspector } from './StepInspector';

const sameContent = (
  a: { name: string; steps: readonly FlowStep[] },
  b: { name: string; steps: readonly FlowStep[] },
) =>
  a.name.trim() === b.name.trim() && JSON.stringify(a.steps.map(cleanStep)) === JSON.stringify(b.steps.map(cleanStep));

const blank = { name: '', steps: [{ kind: 'greeting', text: '' }] as FlowStep[] };

export interface FlowEditorProps {
  flow: CallFlow | null;
  me: Me;
  numbers: readonly BusinessNumber[];
  groups: readonly UserGroup[];
  users: readonly User[];
  names: FlowNames;
  onDirtyChange: (dirty: boolean) => void;
}

/** Edits one call flow (or a new one): its name, its steps as a readable tree, and the numbers that ring into it. */
export function FlowEditor(props: FlowEditorProps) {
  const { flow, me, names } = props;
  const [base, setBase] = useState<CallFlow | null>(flow);
  const [name, setName] = useState(flow?.name ?? blank.name);
  const [steps, setSteps] = useState<FlowStep[]>(flow?.steps ?? blank.steps);
  const [selected, setSelected] = useState<StepPath | null>(flow ? null : [0]);
  // Bumped when the user picks a step (not when it merely moves), so the step editor takes the focus then only.
  const [picked, setPicked] = useState(0);
  const pick = (path: StepPath | null) => {
    setSelected(path);
    setPicked((n) => n + 1);
  };
  const [attempted, setAttempted] = useState(false);
  const [server, setServer] = useState<{ steps: StepErrors; other: Record<string, string> } | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [seen, setSeen] = useState(flow);
  const [create, creating] = useCreateCallFlowMutation();
  const [update, updating] = useUpdateCallFlowMutation();
  const [remove] = useDeleteCallFlowMutation();

  const dirty = !sameContent({ name, steps }, base ?? blank);
  // Someone (maybe this user, elsewhere) changed the flow: take their version unless there is unsaved work here.
  if (flow !== seen) {
    setSeen(flow);
    if (flow && !dirty) {
      setBase(flow);
      setName(flow.name);
      setSteps(flow.steps);
    }
  }
  const changedElsewhere = flow !== null && base !== null && dirty && !sameContent(flow, base);
  const readOnly = !me.capabilities['callFlows.manage'];

  const check = useMemo(() => checkFlow(steps, names), [steps, names]);
  const errors: StepErrors = useMemo(() => {
    const merged: StepErrors = { ...(attempted ? check.errors : {}) };
    for (const [k, v] of Object.entries(server?.steps ?? {})) merged[k] = { ...merged[k], ...v };
    return merged;
  }, [attempted, check.errors, server]);
  const nameError =
    server?.other.name ?? (attempted && !name.trim() ? 'Give the flow a name, e.g. “Support line”.' : undefined);

  // Managers may change a flow only when they may see every number it answers (policy-decisions.md).
  const outside = flow?.hiddenBnCount ?? 0;

  const selectedStep = selected ? stepAt(steps, selected) : undefined;

  const edit = (next: FlowStep[]) => {
    setSteps(next);
    setServer(null);
    setRefusal(null);
  };
  const reportDirty = props.onDirtyChange;
  useEffect(() => {
    reportDirty(dirty);
  }, [reportDirty, dirty]);

  async function save(e?: FormEvent) {
    e?.preventDefault();
    setAttempted(true);
    if (check.count > 0 || !name.trim()) {
      const first = Object.keys(check.errors)[0];
      if (first !== undefined) pick(parsePathKey(first));
      setRefusal(
        check.count > 0
          ? 'Some steps need finishing: they are marked in red.'
          : 'Give the flow a name before saving it.',
      );
      return;
    }
    const payload = { name: name.trim(), steps: steps.map(cleanStep) };
    const r = base ? await update({ callFlowId: base.id, ...payload }) : await create(payload);
    if ('error' in r) {
      setServer(serverStepErrors(fieldErrors(r.error), payload.steps));
      setRefusal((r.error as { message?: string } | undefined)?.message ?? 'Something went wrong.');
      return notifyError(r.error);
    }
    setBase(r.data);
    setName(r.data.name);
    setSteps(r.data.steps);
    setServer(null);
    setRefusal(null);
    setAttempted(false);
    notifySaved(base ? `${r.data.name} saved.` : `${r.data.name} created.`);
    if (!base) {
      reportDirty(false);
      navigate('flows', r.data.id);
    }
  }

  function discard() {
    setName(base?.name ?? blank.name);
    setSteps(base?.steps ?? blank.steps);
    setSelected(null);
    setServer(null);
    setRefusal(null);
    setAttempted(false);
  }

  function confirmDelete() {
    if (!base) return;
    const n = base.bnIds.length;
    modals.openConfirmModal({
      title: `Delete the call flow ${base.name}?`,
      children: (
        <Text size="sm">
          {n > 0
            ? `${n === 1 ? 'One business number rings' : `${n} business numbers ring`} into this flow. After deleting it, ${n === 1 ? 'that number is' : 'those numbers are'} not routed to any flow until someone routes ${n === 1 ? 'it' : 'them'} again. `
            : 'No business number rings into it. '}
          Past calls keep the flow’s name.
        </Text>
      ),
      labels: { confirm: 'Delete call flow', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: async () => {
        const r = await remove(base.id);
        if ('error' in r) return notifyError(r.error, 'Not deleted');
        notifySaved(`${base.name} deleted.`);
        reportDirty(false);
        navigate('flows');
      },
    });
  }

  const onAdd = (listPath: StepPath, kind: StepKind) => {
    const r = appendStep(
      steps,
      listPath,
      newStep(kind, { timezone: me.user.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone }),
    );
    edit(r.steps);
    pick(r.path);
  };
  const onMove = (path: StepPath, delta: -1 | 1) => {
    const r = moveStep(steps, path, delta);
    edit(r.steps);
    if (selected) setSelected(movedPath(selected, path, r.path));
  };
  const onRemove = (path: StepPath) => {
    edit(removeStep(steps, path));
    setSelected(null);
  };

  return (
    <Box style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
      <Box component="form" {...noNativeValidation} onSubmit={save} px="lg" pt="lg" pb="sm" aria-label="Call flow">
        <Group justify="space-between" align="flex-end" wrap="nowrap">
          <TextInput
            label="Flow name"
            placeholder="e.g. Support line"
            value={name}
            onChange={(e) => (setName(e.currentTarget.value), setServer(null), setRefusal(null))}
            error={nameError}
            disabled={readOnly}
            w={320}
            maxLength={120}
            autoFocus={!flow}
          />
          {!readOnly && (
            <Group gap="xs" wrap="nowrap">
              {base && (
                <Button variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={confirmDelete}>
                  Delete
                </Button>
              )}
              {dirty && base && (
                <Button variant="default" onClick={discard}>
                  Discard changes
                </Button>
              )}
              <Button
                type="submit"
                leftSection={<IconDeviceFloppy size={16} />}
                disabled={!dirty && base !== null}
                loading={creating.isLoading || updating.isLoading}
              >
                {base ? (dirty ? 'Save changes' : 'Saved') : 'Create flow'}
              </Button>
            </Group>
          )}
        </Group>
        <Stack gap={6} mt="sm">
          {refusal && (
            <Alert
              color="red"
              variant="light"
              icon={<IconAlertTriangle size={16} />}
              py={8}
              role="alert"
              title="Not saved"
            >
              {refusal}
            </Alert>
          )}
          {outside > 0 && !refusal && (
            <Alert color="yellow" variant="light" py={8}>
              This flow answers {outside === 1 ? 'a business number' : `${outside} business numbers`} outside your
              access, so you may not be allowed to change it.
            </Alert>
          )}
          {changedElsewhere && (
            <Alert color="yellow" variant="light" py={8}>
              <Group justify="space-between">
                <Text size="sm">
                  Someone else changed this flow while you were editing. Saving replaces their version.
                </Text>
                <Button
                  size="xs"
                  variant="default"
                  onClick={() => flow && (setBase(flow), setName(flow.name), setSteps(flow.steps), setSelected(null))}
                >
                  Load their version
                </Button>
              </Group>
            </Alert>
          )}
          <Group gap="sm" align="flex-start" wrap="nowrap">
            <Text size="sm" fw={600} w={70} style={{ flexShrink: 0 }} pt={4}>
              Numbers
            </Text>
            <FlowNumbers
              flow={base}
              numbers={props.numbers}
              canRoute={me.capabilities['numbers.manage']}
              readOnly={readOnly}
            />
          </Group>
          {base && (
            <Group gap="sm" align="flex-start" wrap="nowrap">
              <Text size="sm" fw={600} w={70} style={{ flexShrink: 0 }} pt={4}>
                Recording
              </Text>
              <FlowRecording key={base.id} callFlowId={base.id} readOnly={readOnly} />
            </Group>
          )}
        </Stack>
      </Box>
      <Box
        style={{ flex: 1, minHeight: 0, display: 'flex', borderTop: '1px solid var(--mantine-color-default-border)' }}
      >
        <ScrollArea style={{ flex: 1, minWidth: 0 }}>
          <Stack p="lg" gap="lg" maw={720}>
            <Box>
              <Text size="xs" c="dimmed" mb={6}>
                A call starts at the top and runs down. Select a step to change it.
              </Text>
              <StepList
                list={steps}
                at={[]}
                where="at the end"
                names={names}
                selected={selected}
                errors={errors}
                warnings={check.warnings}
                readOnly={readOnly}
                onSelect={pick}
                onMove={onMove}
                onRemove={onRemove}
                onAdd={onAdd}
                maxSteps={(at) => (at.length === 0 ? MAX_TOP_STEPS : MAX_BRANCH_STEPS)}
              />
            </Box>
          </Stack>
        </ScrollArea>
        {/* On a laptop the settings column gives up width first: the steps need it more. */}
        <Box
          w={{ base: 320, xl: 380 }}
          style={{ borderLeft: '1px solid var(--mantine-color-default-border)', minHeight: 0, flexShrink: 0 }}
        >
          <ScrollArea h="100%">
            <Box p="md">
              {selected && selectedStep ? (
                <StepInspector
                  key={picked}
                  autoFocus={picked > 0}
                  step={selectedStep}
                  errors={errors[pathKey(selected)] ?? {}}
                  warning={check.warnings[pathKey(selected)]}
                  groups={props.groups}
                  users={props.users}
                  readOnly={readOnly}
                  onChange={(s) => edit(updateStep(steps, selected, () => s))}
                  onRemove={() => onRemove(selected)}
                  onClose={() => setSelected(null)}
                />
              ) : (
                <Text size="sm" c="dimmed">
                  {readOnly
                    ? 'Select a step to see its settings.'
                    : 'Select a step in the flow to change it, or use “Add step” to add one. Use the arrows to reorder steps within their list.'}
                </Text>
              )}
              <Box mt="lg">
                <FlowPaths steps={steps} names={names} />
              </Box>
            </Box>
          </ScrollArea>
        </Box>
      </Box>
    </Box>
  );
}

import { Button, Group, Modal, NativeSelect, NumberInput, Stack, Switch, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import type { BusinessNumber } from '../../../../shared/api/entities';
import type { RecordMode } from '../../../../shared/api/recordings';
import { fieldErrors, notifyError, notifySaved } from '../../ui/notify';
import {
  useRecordingSettingsQuery,
  useSetFlowRecordingMutation,
  useSetNumberRecordModeMutation,
  useUpdateRecordingSettingsMutation,
} from './api';

export const modeOptions: { value: RecordMode; label: string }[] = [
  { value: 'never', label: 'Never' },
  { value: 'always', label: 'Always' },
  { value: 'on_demand', label: 'On demand (the agent presses Record)' },
];

/** A business number's record mode, from the number's menu (number managers). */
export function NumberRecordingDialog(props: { number: BusinessNumber; onClose: () => void }) {
  const n = props.number;
  const s = useRecordingSettingsQuery();
  const current = s.data?.numbers.find((x) => x.bnId === n.id)?.mode;
  const [mode, setMode] = useState<RecordMode | null>(null);
  const [save, saving] = useSetNumberRecordModeMutation();
  const value = mode ?? current ?? 'never';

  async function submit() {
    try {
      await save({ bnId: n.id, mode: value }).unwrap();
      notifySaved(`Recording for ${n.formatted} saved.`);
      props.onClose();
    } catch (e) {
      notifyError(e, 'Not saved');
    }
  }

  return (
    <Modal opened onClose={props.onClose} title={`Call recording for ${n.formatted}`}>
      <Stack>
        <NativeSelect
          label="Record calls on this number"
          description="A call flow set to record more (always over on demand) wins for calls through it. Callers hear the flow's notice first."
          data={modeOptions}
          value={value}
          onChange={(e) => setMode(e.currentTarget.value as RecordMode)}
          disabled={!s.data}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button onClick={() => void submit()} loading={saving.isLoading} disabled={!s.data}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** A call flow's record mode and the notice callers hear first, in the flow editor. */
export function FlowRecording(props: { callFlowId: number; readOnly: boolean }) {
  const s = useRecordingSettingsQuery();
  const current = s.data?.flows.find((f) => f.callFlowId === props.callFlowId);
  // What the editor changed; unchanged fields show the saved settings.
  const [draft, setDraft] = useState<{ mode?: RecordMode; notice?: string }>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, saving] = useSetFlowRecordingMutation();
  if (!s.data) return null;
  const mode = draft.mode ?? current?.mode ?? 'never';
  const notice = draft.notice ?? current?.notice ?? '';
  const setMode = (m: RecordMode) => setDraft((d) => ({ ...d, mode: m }));
  const setNotice = (n: string) => setDraft((d) => ({ ...d, notice: n }));
  const dirty = mode !== (current?.mode ?? 'never') || notice.trim() !== (current?.notice ?? '');

  async function submit() {
    setErrors({});
    try {
      await save({ callFlowId: props.callFlowId, mode, notice: notice.trim() === '' ? null : notice.trim() }).unwrap();
      setDraft({});
      notifySaved('Recording settings of the flow saved.');
    } catch (e) {
      setErrors(fieldErrors(e));
      notifyError(e, 'Not saved');
    }
  }

  return (
    <Stack gap={6} style={{ flex: 1, minWidth: 0 }}>
      <NativeSelect
        size="xs"
        label="Record calls through this flow"
        data={modeOptions}
        value={mode}
        onChange={(e) => setMode(e.currentTarget.value as RecordMode)}
        disabled={props.readOnly}
      />
      {mode !== 'never' && (
        <Textarea
          size="xs"
          label="Notice callers hear before a recorded call"
          placeholder={s.data.defaultNotice}
          description="Leave empty for the default notice."
          autosize
          minRows={1}
          maxRows={3}
          maxLength={500}
          value={notice}
          error={errors.notice}
          onChange={(e) => setNotice(e.currentTarget.value)}
          disabled={props.readOnly}
        />
      )}
      {!props.readOnly && (
        <Group>
          <Button size="compact-sm" variant="default" disabled={!dirty} loading={saving.isLoading} onClick={submit}>
            {dirty ? 'Save recording settings' : 'Recording settings saved'}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** The account's retention and internal-call recording, on the Account page. */
export function AccountRecordingSettings() {
  const s = useRecordingSettingsQuery();
  const [update, saving] = useUpdateRecordingSettingsMutation();
  const [draft, setDraft] = useState<{ keep?: boolean; days?: number | string; internal?: RecordMode }>({});
  const [error, setError] = useState<string | undefined>();
  if (!s.data) return null;
  const d = s.data;
  const keep = draft.keep ?? d.retentionDays !== null;
  const days = draft.days ?? d.retentionDays ?? 90;
  const internal = draft.internal ?? d.internalMode;
  const setKeep = (v: boolean) => setDraft((x) => ({ ...x, keep: v }));
  const setDays = (v: number | string) => setDraft((x) => ({ ...x, days: v }));
  const setInternal = (v: RecordMode) => setDraft((x) => ({ ...x, internal: v }));
  const canChange = d.canChangeAccount;
  const retentionDays = keep ? Number(days) : null;
  const dirty = retentionDays !== d.retentionDays || internal !== d.internalMode;

  async function submit() {
    setError(undefined);
    try {
      await update({ retentionDays, internalMode: internal }).unwrap();
      setDraft({});
      notifySaved('Recording settings saved.');
    } catch (e) {
      setError(fieldErrors(e).retentionDays);
      notifyError(e, 'Not saved');
    }
  }

  return (
    <Stack gap="sm">
      <Switch
        label="Delete recordings automatically"
        description="Recordings older than this are deleted, with their files, every hour. The calls, notes and tags stay."
        checked={keep}
        onChange={(e) => setKeep(e.currentTarget.checked)}
        disabled={!canChange}
      />
      {keep && (
        <NumberInput
          label="Keep recordings for (days)"
          min={1}
          max={3650}
          allowDecimal={false}
          value={days}
          onChange={setDays}
          error={error}
          disabled={!canChange}
          maw={220}
        />
      )}
      <NativeSelect
        label="Record internal calls (between team members)"
        data={modeOptions}
        value={internal}
        onChange={(e) => setInternal(e.currentTarget.value as RecordMode)}
        disabled={!canChange}
        maw={420}
      />
      {canChange ? (
        <Group>
          <Button onClick={() => void submit()} disabled={!dirty} loading={saving.isLoading}>
            Save recording settings
          </Button>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          Only an Administrator can change how long recordings are kept.
        </Text>
      )}
    </Stack>
  );
}

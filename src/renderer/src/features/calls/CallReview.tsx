import {
  ActionIcon,
  Anchor,
  Button,
  Group,
  Modal,
  Pill,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import type { CallNote } from '../../../../shared/api/callReview';
import { navigate } from '../../app/router';
import { useMeQuery } from '../session/api';
import { formatDateTime } from '../../ui/format';
import { fieldErrors, notifyError, notifySaved } from '../../ui/notify';
import {
  useAddCallNoteMutation,
  useAddCallTagMutation,
  useCallAnnotationsQuery,
  useCallTagsQuery,
  useCreateCallTagMutation,
  useDeleteCallNoteMutation,
  useDeleteCallTagMutation,
  useEditCallNoteMutation,
  useRemoveCallTagMutation,
  useRenameCallTagMutation,
} from '../dashboard/api';
import { callsQuery } from '../dashboard/callsLink';

/**
 * A call's tags and notes in its details. The main process decides every
 * change (docs/policy-decisions.md, "Notes and tags on calls"); the buttons
 * shown follow what it says the reader may do with each note.
 */
export function CallReview(props: { callId: number }) {
  const { callId } = props;
  const me = useMeQuery().data;
  const a = useCallAnnotationsQuery(callId);
  const tags = useCallTagsQuery();
  const [addTag] = useAddCallTagMutation();
  const [removeTag] = useRemoveCallTagMutation();
  const [addNote, adding] = useAddCallNoteMutation();
  const [draft, setDraft] = useState('');
  const [managing, setManaging] = useState(false);
  const readOnly = me?.viewedBy !== null && me?.viewedBy !== undefined;
  const isAdmin = me?.user.role === 'administrator' && !readOnly;
  const applied = new Set((a.data?.tags ?? []).map((t) => t.id));
  const free = (tags.data ?? []).filter((t) => !applied.has(t.id));

  const submit = async () => {
    try {
      await addNote({ callId, body: draft }).unwrap();
      setDraft('');
    } catch (e) {
      notifyError(e, 'Note not added');
    }
  };

  return (
    <Stack gap="sm">
      <Stack gap={6}>
        <Group justify="space-between">
          <Text fw={600} size="sm" id={`call-${callId}-tags`}>
            Tags
          </Text>
          {isAdmin && (
            <Anchor component="button" type="button" size="xs" onClick={() => setManaging(true)}>
              Manage tags
            </Anchor>
          )}
        </Group>
        {(a.data?.tags ?? []).length === 0 ? (
          <Text size="sm" c="dimmed">
            No tags.
          </Text>
        ) : (
          <Group gap={6} aria-labelledby={`call-${callId}-tags`} role="list">
            {(a.data?.tags ?? []).map((t) => (
              <Tooltip key={t.id} label={t.addedBy ? `Added by ${t.addedBy}, ${formatDateTime(t.addedAt)}` : t.name}>
                <Pill
                  role="listitem"
                  withRemoveButton={!readOnly}
                  removeButtonProps={{ 'aria-label': `Remove the tag ${t.name}` }}
                  onRemove={() => removeTag({ callId, tagId: t.id }).unwrap().catch(notifyError)}
                >
                  <UnstyledButton
                    fz="inherit"
                    aria-label={`Calls tagged ${t.name}`}
                    onClick={() => navigate('calls', null, callsQuery({ tagId: t.id }))}
                  >
                    {t.name}
                  </UnstyledButton>
                </Pill>
              </Tooltip>
            ))}
          </Group>
        )}
        {!readOnly && free.length > 0 && (
          <Select
            aria-label="Add a tag"
            placeholder="Add a tag"
            size="xs"
            w={200}
            searchable
            data={free.map((t) => ({ value: String(t.id), label: t.name }))}
            value={null}
            onChange={(v) => {
              if (v)
                addTag({ callId, tagId: Number(v) })
                  .unwrap()
                  .catch(notifyError);
            }}
          />
        )}
        {!readOnly && (tags.data ?? []).length === 0 && (
          <Text size="xs" c="dimmed">
            {isAdmin
              ? 'No tags yet: create the account’s tags with Manage tags.'
              : 'An Administrator creates the tags.'}
          </Text>
        )}
      </Stack>

      <Stack gap={6}>
        <Text fw={600} size="sm">
          Notes
        </Text>
        {(a.data?.notes ?? []).length === 0 && (
          <Text size="sm" c="dimmed">
            No notes.
          </Text>
        )}
        {(a.data?.notes ?? []).map((n) => (
          <NoteView key={n.id} note={n} />
        ))}
        {!readOnly && (
          <Stack gap={4}>
            <Textarea
              aria-label="New note"
              placeholder="Add a note for the team"
              autosize
              minRows={2}
              maxLength={4000}
              value={draft}
              onChange={(e) => setDraft(e.currentTarget.value)}
            />
            <Group justify="flex-end">
              <Button size="xs" onClick={submit} loading={adding.isLoading} disabled={draft.trim() === ''}>
                Add note
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
      <ManageTags opened={managing} onClose={() => setManaging(false)} />
    </Stack>
  );
}

function NoteView(props: { note: CallNote }) {
  const n = props.note;
  const [editing, setEditing] = useState<string | null>(null);
  const [edit, editing_] = useEditCallNoteMutation();
  const [remove] = useDeleteCallNoteMutation();
  return (
    <Stack gap={2} p="xs" style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed">
          {n.authorName} · {formatDateTime(n.createdAt)}
          {n.editedAt !== null ? ' · edited' : ''}
        </Text>
        <Group gap={2} wrap="nowrap">
          {n.canEdit && editing === null && (
            <ActionIcon size="sm" variant="subtle" aria-label="Edit note" onClick={() => setEditing(n.body)}>
              <IconPencil size={14} />
            </ActionIcon>
          )}
          {n.canDelete && (
            <ActionIcon
              size="sm"
              variant="subtle"
              color="red"
              aria-label="Delete note"
              onClick={() =>
                remove({ noteId: n.id })
                  .unwrap()
                  .then(() => notifySaved('Note deleted'))
                  .catch(notifyError)
              }
            >
              <IconTrash size={14} />
            </ActionIcon>
          )}
        </Group>
      </Group>
      {editing === null ? (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {n.body}
        </Text>
      ) : (
        <Stack gap={4}>
          <Textarea
            aria-label="Edit note"
            autosize
            minRows={2}
            maxLength={4000}
            value={editing}
            onChange={(e) => setEditing(e.currentTarget.value)}
          />
          <Group justify="flex-end" gap="xs">
            <Button size="xs" variant="default" onClick={() => setEditing(null)}>
              Cancel
            </Button>
            <Button
              size="xs"
              loading={editing_.isLoading}
              disabled={editing.trim() === ''}
              onClick={() =>
                edit({ noteId: n.id, body: editing })
                  .unwrap()
                  .then(() => setEditing(null))
                  .catch((e) => notifyError(e))
              }
            >
              Save
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  );
}

/** The account's tag list, for Administrators: create, rename, delete. */
export function ManageTags(props: { opened: boolean; onClose: () => void }) {
  const tags = useCallTagsQuery();
  const [create, creating] = useCreateCallTagMutation();
  const [rename] = useRenameCallTagMutation();
  const [remove] = useDeleteCallTagMutation();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  return (
    <Modal opened={props.opened} onClose={props.onClose} title="Call tags">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Everyone who can see a call can put these tags on it. Deleting a tag takes it off every call.
        </Text>
        <Group align="flex-end" gap="xs">
          <TextInput
            label="New tag"
            value={name}
            maxLength={40}
            error={error}
            onChange={(e) => {
              setName(e.currentTarget.value);
              setError(undefined);
            }}
            style={{ flex: 1 }}
          />
          <Button
            loading={creating.isLoading}
            disabled={name.trim() === ''}
            onClick={() =>
              create({ name })
                .unwrap()
                .then(() => setName(''))
                .catch((e) => setError(fieldErrors(e).name ?? (e as { message?: string }).message))
            }
          >
            Create
          </Button>
        </Group>
        <Stack gap={4} role="list" aria-label="Tags">
          {(tags.data ?? []).map((t) => (
            <Group key={t.id} justify="space-between" role="listitem" wrap="nowrap">
              {renaming?.id === t.id ? (
                <TextInput
                  aria-label={`New name for ${t.name}`}
                  size="xs"
                  value={renaming.name}
                  maxLength={40}
                  onChange={(e) => setRenaming({ id: t.id, name: e.currentTarget.value })}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter')
                      rename({ tagId: t.id, name: renaming.name })
                        .unwrap()
                        .then(() => setRenaming(null))
                        .catch(notifyError);
                  }}
                />
              ) : (
                <Text size="sm">{t.name}</Text>
              )}
              <Group gap={2} wrap="nowrap">
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  aria-label={`Rename ${t.name}`}
                  onClick={() => setRenaming({ id: t.id, name: t.name })}
                >
                  <IconPencil size={14} />
                </ActionIcon>
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  color="red"
                  aria-label={`Delete ${t.name}`}
                  onClick={() =>
                    remove({ tagId: t.id })
                      .unwrap()
                      .then(() => notifySaved(`Deleted the tag ${t.name}`))
                      .catch(notifyError)
                  }
                >
                  <IconTrash size={14} />
                </ActionIcon>
              </Group>
            </Group>
          ))}
        </Stack>
      </Stack>
    </Modal>
  );
}

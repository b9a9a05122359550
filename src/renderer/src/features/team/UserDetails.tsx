import { Select, SimpleGrid, TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { User } from '../../../../shared/api/entities';
import { notifySaved } from '../../ui/notify';
import { timezoneOptions } from './access';
import { useUpdateSettingsMutation } from './api';
import { CardSection, LockedNote, useFeedback } from './feedback';

export type Fields = { name: string; email: string; extension: string; title: string; timezone: string };

export const fieldsOf = (u: User): Fields => ({
  name: u.name,
  email: u.email,
  extension: u.extension,
  title: u.title,
  timezone: u.timezone,
});

/** A React key that resets the form when the saved details change. */
export const detailsKey = (u: User) => `${u.id}:${JSON.stringify(fieldsOf(u))}`;

/** The basic-information inputs, controlled: the user card and My settings each keep the values. */
export function DetailsFields(props: {
  value: Fields;
  onChange: (next: Fields) => void;
  errors: Record<string, string>;
  canEdit: boolean;
  canEditIdentity: boolean;
}) {
  const f = props.value;
  const zones = useMemo(() => timezoneOptions(f.timezone), [f.timezone]);
  const set = (k: keyof Fields) => (v: string) => props.onChange({ ...f, [k]: v });
  return (
    <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="xs">
      <TextInput
        label="Name"
        value={f.name}
        onChange={(e) => set('name')(e.currentTarget.value)}
        error={props.errors.name}
        disabled={!props.canEdit}
        required
      />
      <TextInput
        label="Title"
        placeholder="e.g. Sales"
        value={f.title}
        onChange={(e) => set('title')(e.currentTarget.value)}
        error={props.errors.title}
        disabled={!props.canEdit}
      />
      <TextInput
        label="Email"
        type="email"
        value={f.email}
        onChange={(e) => set('email')(e.currentTarget.value)}
        error={props.errors.email}
        disabled={!props.canEditIdentity}
        required
      />
      <TextInput
        label="Extension"
        value={f.extension}
        onChange={(e) => set('extension')(e.currentTarget.value)}
        error={props.errors.extension}
        disabled={!props.canEditIdentity}
        inputMode="numeric"
        className="tabular"
        required
      />
      <Select
        label="Time zone"
        data={zones}
        value={f.timezone}
        onChange={(v) => v && set('timezone')(v)}
        searchable
        allowDeselect={false}
        nothingFoundMessage="No such time zone"
        error={props.errors.timezone}
        disabled={!props.canEdit}
        comboboxProps={{ withinPortal: true }}
      />
    </SimpleGrid>
  );
}

/** The fields that differ from the saved ones, trimmed: only they are sent. */
export function changedDetails(f: Fields, saved: Fields): Partial<Fields> {
  const patch: Partial<Fields> = {};
  for (const k of Object.keys(f) as (keyof Fields)[]) if (f[k].trim() !== saved[k]) patch[k] = f[k].trim();
  return patch;
}

/**
 * A person's basic information with a save of its own (My settings). Only
 * the fields that changed are sent: a new email or extension is a sign-in
 * identity and needs the settings capability, a new name or title does not
 * when it is one's own.
 */
export function UserDetails(props: {
  user: User;
  /** May change name, title and time zone. */
  canEdit: boolean;
  /** May change email and extension too. */
  canEditIdentity: boolean;
  lockedReason?: string | null;
  identityNote?: string;
  title?: string;
  saveLabel?: string;
}) {
  const u = props.user;
  const initial = useMemo(() => fieldsOf(u), [u]);
  const [f, setF] = useState<Fields>(initial);
  const [save, saving] = useUpdateSettingsMutation();
  const fb = useFeedback();
  const patch = changedDetails(f, initial);

  async function submit() {
    await fb.handle(save({ userId: u.id, ...patch }), (saved) => notifySaved(`${saved.name}’s details saved.`));
  }

  return (
    <CardSection
      title={props.title ?? 'Basic information'}
      onSubmit={props.canEdit ? submit : undefined}
      saveLabel={props.canEdit ? (props.saveLabel ?? 'Save details') : undefined}
      saving={saving.isLoading}
      dirty={Object.keys(patch).length > 0}
      refusal={fb.refusal}
    >
      {!props.canEdit && props.lockedReason && <LockedNote>{props.lockedReason}</LockedNote>}
      <DetailsFields
        value={f}
        onChange={setF}
        errors={fb.errors}
        canEdit={props.canEdit}
        canEditIdentity={props.canEditIdentity}
      />
      {props.canEdit && !props.canEditIdentity && props.identityNote && <LockedNote>{props.identityNote}</LockedNote>}
    </CardSection>
  );
}

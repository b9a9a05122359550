import { fieldErrors, noNativeValidation, notifyError, notifySaved } from '../../ui/notify';
import { Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { modals } from '@mantine/modals';
import { useState, type FormEvent } from 'react';
import type { Contact } from '../../../../shared/api/entities';
import type { ApiError } from '../../../../shared/result';
import { normalizeDialString } from '../../../../shared/phone';
import { formatPhone } from '../../ui/format';
import { useCreateContactMutation, useUpdateContactMutation } from './api';

function askToShare(message: string, onShare: () => void) {
  modals.openConfirmModal({
    title: 'Same number as another contact',
    children: (
      <Text size="sm">
        {message} Keep both if they share it (a switchboard, a family phone); calls from it are named after the contact
        added first.
      </Text>
    ),
    labels: { confirm: 'Save anyway', cancel: 'Change the number' },
    onConfirm: onShare,
  });
}

/** Add or edit a contact. The number may be typed in any common format; it is stored in E.164. */
export function ContactForm(props: { contact: Contact | null; opened: boolean; onClose: () => void }) {
  const c = props.contact;
  const [create, creating] = useCreateContactMutation();
  const [update, updating] = useUpdateContactMutation();
  const [name, setName] = useState(c?.name ?? '');
  const [company, setCompany] = useState(c?.company ?? '');
  const [phone, setPhone] = useState(c ? formatPhone(c.phone) : '');
  const [email, setEmail] = useState(c?.email ?? '');
  const [notes, setNotes] = useState(c?.notes ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});

  async function save(sharedNumber: boolean) {
    const e164 = normalizeDialString(phone);
    if (!e164) return setErrors({ phone: 'Enter a phone number, e.g. (213) 555-0100 or +44 20 7183 8750' });
    const fields = { name, company, phone: e164, email: email.trim(), notes, sharedNumber };
    const r = c ? await update({ contactId: c.id, ...fields }) : await create(fields);
    if ('error' in r) {
      const err = r.error as Partial<ApiError>;
      // Another contact has this number: ask, since callers are named after the first one.
      if (err.code === 'conflict' && err.fields?.duplicateOf) {
        setErrors({ phone: err.fields.phone ?? 'Already another contact’s number' });
        return askToShare(err.message ?? 'Another contact has this number.', () => void save(true));
      }
      setErrors(fieldErrors(r.error));
      return notifyError(r.error);
    }
    notifySaved(c ? 'Contact saved.' : 'Contact added.');
    props.onClose();
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void save(false);
  }

  return (
    <Modal opened={props.opened} onClose={props.onClose} title={c ? 'Edit contact' : 'Add contact'}>
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          required
          data-autofocus
        />
        <TextInput
          label="Company"
          value={company}
          onChange={(e) => setCompany(e.currentTarget.value)}
          error={errors.company}
        />
        <TextInput
          label="Phone"
          placeholder="(213) 555-0100"
          value={phone}
          onChange={(e) => setPhone(e.currentTarget.value)}
          error={errors.phone}
          required
        />
        <TextInput
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.email}
        />
        <Textarea
          label="Notes"
          autosize
          minRows={2}
          value={notes}
          onChange={(e) => setNotes(e.currentTarget.value)}
          error={errors.notes}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={creating.isLoading || updating.isLoading}>
            {c ? 'Save contact' : 'Add contact'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

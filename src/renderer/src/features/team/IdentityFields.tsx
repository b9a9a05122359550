import { PasswordInput, TextInput } from '@mantine/core';
import { useState } from 'react';

/** What a new team member is known and signs in by: the fields every form that adds someone asks for. */
export interface Identity {
  name: string;
  email: string;
  extension: string;
  password: string;
}

/** The new member's identity, starting from the next free extension. */
export function useIdentity(suggestedExtension: string) {
  const [identity, setIdentity] = useState<Identity>({
    name: '',
    email: '',
    extension: suggestedExtension,
    password: '',
  });
  const set = (field: keyof Identity) => (value: string) => setIdentity((v) => ({ ...v, [field]: value }));
  return { identity, set };
}

/** Name, email and extension (the first field takes the focus); the API's field errors beside each. */
export function IdentityFields(props: {
  identity: Identity;
  set: (field: keyof Identity) => (value: string) => void;
  errors: Record<string, string>;
}) {
  const { identity, set, errors } = props;
  return (
    <>
      <TextInput
        label="Name"
        value={identity.name}
        onChange={(e) => set('name')(e.currentTarget.value)}
        error={errors.name}
        required
        data-autofocus
      />
      <TextInput
        label="Email"
        type="email"
        value={identity.email}
        onChange={(e) => set('email')(e.currentTarget.value)}
        error={errors.email}
        required
      />
      <TextInput
        label="Extension"
        value={identity.extension}
        onChange={(e) => set('extension')(e.currentTarget.value)}
        error={errors.extension}
        inputMode="numeric"
        required
      />
    </>
  );
}

/** The first password of a new member, which they can change in My settings. */
export function NewPasswordField(props: {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  return (
    <PasswordInput
      label="Password"
      description="At least 8 characters; they can change it in My settings."
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      error={props.error}
      autoComplete="new-password"
      required
    />
  );
}

import { noNativeValidation, notifySaved } from '../../ui/notify';
import {
  Button,
  Checkbox,
  Divider,
  Group,
  Input,
  Modal,
  MultiSelect,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { useState, type FormEvent } from 'react';
import type { Me } from '../../../../shared/api/contract';
import type { BusinessNumber, Group as UserGroup } from '../../../../shared/api/entities';
import type { CallAccessLevel, Role } from '../../../../shared/primitives';
import { navigate } from '../../app/router';
import { accessHelp, accessLabel, roleLabel } from '../../ui/format';
import { defaultLevel, levelRefusal, levelsForRole, planName, roleHelp, roleOrder } from './access';
import { useAddUserMutation } from './api';
import { InvitationLinks } from './JoinSection';
import { useCreateInvitationMutation } from './joinApi';
import { Refusal, useFeedback } from './feedback';
import { IdentityFields, NewPasswordField, useIdentity } from './IdentityFields';
import { NumberChecklist } from './NumberChecklist';

/**
 * Adds a team member. Administrators choose the role; Managers add Agents
 * only. The access offered is what this viewer may give; the main process
 * checks it all again.
 */
export function AddUser(props: {
  me: Me;
  numbers: readonly BusinessNumber[];
  groups: readonly UserGroup[];
  suggestedExtension: string;
  onClose: () => void;
}) {
  const { me } = props;
  const isAdmin = me.user.role === 'administrator';
  const basic = me.account.plan === 'basic';
  const canGroup = me.capabilities['groups.manage'];
  const { identity, set } = useIdentity(props.suggestedExtension);
  const [title, setTitle] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [level, setLevel] = useState<CallAccessLevel>('group');
  const [scope, setScope] = useState<number[]>([]);
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [call, setCall] = useState<number[]>([]);
  const [sms, setSms] = useState<number[]>([]);
  const [add, saving] = useAddUserMutation();
  const [invite, setInvite] = useState(false);
  const [createInvitation] = useCreateInvitationMutation();
  const fb = useFeedback();

  const levels = levelsForRole[role].filter((l) => levelRefusal(me, l) === null);
  const pickRole = (r: Role) => {
    setRole(r);
    setLevel(defaultLevel[r]);
  };

  /** The new member's invitation, shown once in a dialog of its own (the add dialog is closed by then). */
  async function showInvitation(u: { id: number; name: string }) {
    const r = await createInvitation({ userId: u.id, expiresInDays: 7 });
    modals.open({
      title: `Invitation for ${u.name}`,
      size: 'lg',
      children:
        'error' in r ? (
          <Text size="sm">
            {u.name} was added, but no invitation was made: {(r.error as { message?: string }).message ?? 'error'}
          </Text>
        ) : (
          <InvitationLinks user={u} created={r.data} />
        ),
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const limitNumbers = !basic && role !== 'administrator';
    await fb.handle(
      add({
        name: identity.name,
        email: identity.email.trim(),
        extension: identity.extension.trim(),
        password: invite ? unguessablePassword() : identity.password,
        role,
        ...(title.trim() ? { title: title.trim() } : {}),
        callAccess: level,
        scopeBnIds: level === 'numbers' ? scope : [],
        ...(canGroup ? { groupIds: groupIds.map(Number) } : {}),
        ...(limitNumbers ? { outboundCallBnIds: call, smsBnIds: sms } : {}),
      }),
      (u) => {
        notifySaved(`${u.name} was added as ${u.role === 'manager' ? 'a' : 'an'} ${roleLabel[u.role]}.`);
        props.onClose();
        navigate('team', u.id);
        if (invite) void showInvitation(u);
      },
    );
  }

  return (
    <Modal
      opened
      onClose={props.onClose}
      title="Add a team member"
      size="xl"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack component="form" {...noNativeValidation} onSubmit={submit} gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="xs">
          <IdentityFields identity={identity} set={set} errors={fb.errors} />
          <Stack gap={6}>
            {!invite && (
              <NewPasswordField value={identity.password} onChange={set('password')} error={fb.errors.password} />
            )}
            <Checkbox
              label="Invite them to choose their own password"
              description="Makes a one-time link (7 days) to send them, for the desktop app or a browser."
              checked={invite}
              onChange={(e) => setInvite(e.currentTarget.checked)}
            />
          </Stack>
          <TextInput
            label="Title"
            placeholder="e.g. Sales"
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={fb.errors.title}
          />
          <MultiSelect
            label="Groups"
            description={
              canGroup ? 'Calls to these groups ring them.' : 'Adding people to groups needs the groups permission.'
            }
            placeholder={groupIds.length === 0 ? 'No group' : undefined}
            data={props.groups.map((g) => ({ value: String(g.id), label: g.name }))}
            value={groupIds}
            onChange={setGroupIds}
            error={fb.errors.groupIds}
            disabled={!canGroup}
            searchable
            clearable
          />
        </SimpleGrid>

        <Divider label="Roles and Access" labelPosition="left" mt="xs" />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
          {isAdmin ? (
            <Radio.Group label="Role" value={role} onChange={(v) => pickRole(v as Role)} error={fb.errors.role}>
              <Stack gap={8} mt={6}>
                {roleOrder.map((r) => {
                  const locked = basic && r === 'manager';
                  return (
                    <Radio
                      key={r}
                      value={r}
                      label={roleLabel[r]}
                      description={locked ? 'The Manager role needs the Business plan or above.' : roleHelp[r]}
                      disabled={locked}
                    />
                  );
                })}
              </Stack>
            </Radio.Group>
          ) : (
            <Input.Wrapper label="Role" description="Managers add Agents only.">
              <Text size="sm" mt={6}>
                Agent
              </Text>
            </Input.Wrapper>
          )}
          {role === 'administrator' ? (
            <Input.Wrapper
              label="Call access"
              description="Administrators see everything and may use every business number."
            >
              <Text size="sm" mt={6}>
                {accessLabel.all}
              </Text>
            </Input.Wrapper>
          ) : (
            <Radio.Group
              label="Call access"
              description={basic ? `On the ${planName.basic} plan Agents have “Calling group” access.` : undefined}
              value={level}
              onChange={(v) => setLevel(v as CallAccessLevel)}
              error={fb.errors.callAccess}
            >
              <Stack gap={8} mt={6}>
                {levels.map((l) => (
                  <Radio
                    key={l}
                    value={l}
                    label={accessLabel[l]}
                    description={accessHelp[l]}
                    disabled={basic && l !== 'group'}
                  />
                ))}
              </Stack>
            </Radio.Group>
          )}
        </SimpleGrid>
        {level === 'numbers' && role !== 'administrator' && (
          <NumberChecklist
            label="Business numbers in their access"
            description="They see every call, voicemail and message on these numbers."
            numbers={props.numbers}
            value={scope}
            onChange={setScope}
            error={fb.errors.scopeBnIds}
          />
        )}
        {role !== 'administrator' &&
          (basic ? (
            <Text size="sm" c="dimmed">
              On the {planName.basic} plan everyone calls and texts from every business number.
            </Text>
          ) : (
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
              <NumberChecklist
                label="Outbound call numbers"
                description="Caller IDs they may call from."
                numbers={props.numbers}
                value={call}
                onChange={setCall}
                error={fb.errors.outboundCallBnIds}
              />
              <NumberChecklist
                label="SMS numbers"
                description="Numbers they may send texts from."
                numbers={props.numbers}
                value={sms}
                onChange={setSms}
                error={fb.errors.smsBnIds}
              />
            </SimpleGrid>
          ))}
        <Refusal message={fb.refusal} title="Not added" />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={saving.isLoading}>
            Create user
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** A password nobody knows, until the invitee sets theirs with the invitation. */
function unguessablePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes));
}

import { Alert, Button, Center, Loader, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import type { Output } from '../../../../shared/api/contract';
import { call, isApiError } from '../../app/api';
import { formatDateTime } from '../../ui/format';
import { noNativeValidation } from '../../ui/notify';

/** The browser form of an invitation: `https://<server>/join#token=…`. */
export const isJoinPage = () => window.location.pathname === '/join';

/** The token from the fragment, read once; the address bar and history then no longer hold it. */
function takeToken(): string {
  const token = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
  if (window.location.hash) window.history.replaceState(null, '', '/join');
  return token;
}

const why: Record<Exclude<Output<'invitations.inspect'>['status'], 'pending'>, string> = {
  unknown: 'This invitation link is not valid. Copy the whole link, or ask your administrator for a new one.',
  used: 'This invitation was already used. Sign in with the password you chose.',
  expired: 'This invitation has expired. Ask your administrator for a new one.',
  revoked: 'This invitation was withdrawn. Ask your administrator for a new one.',
};

/**
 * The invitee's first visit: says which account and whom the invitation is
 * for, lets them choose their password (invitations.redeem, no device: a
 * browser signs in with the password), then sends them to sign in.
 */
export function JoinPage() {
  const [token] = useState(takeToken);
  const [info, setInfo] = useState<Output<'invitations.inspect'> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Output<'invitations.redeem'> | null>(null);

  useEffect(() => {
    call('invitations.inspect', { token }).then(setInfo, (e: unknown) =>
      setProblem(isApiError(e) ? e.message : 'The server cannot be reached. Try again in a moment.'),
    );
  }, [token]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (password !== again) return setErrors({ again: 'The two passwords differ' });
    setErrors({});
    setProblem(null);
    setBusy(true);
    try {
      setDone(await call('invitations.redeem', { token, password }));
    } catch (error) {
      if (isApiError(error)) {
        setErrors(error.fields ?? {});
        setProblem(error.message);
      } else setProblem('The server cannot be reached. Try again in a moment.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100%" p="md">
      <Paper withBorder p="xl" radius="md" w={420} component="main" aria-labelledby="join-title">
        <Stack gap="md">
          <Title order={1} fz="h3" id="join-title">
            {info?.accountName ? `Join ${info.accountName}` : 'Join your team'}
          </Title>
          {!info && !problem && <Loader aria-label="Reading the invitation" />}
          {info && info.status !== 'pending' && !done && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert">
              {why[info.status]}
            </Alert>
          )}
          {done && (
            <Stack gap="sm">
              <Alert color="green" variant="light" icon={<IconCircleCheck size={16} />} role="status">
                Your password is set, {done.userName}. Sign in with {done.login} and your new password.
              </Alert>
              <Button component="a" href="/">
                Go to sign-in
              </Button>
            </Stack>
          )}
          {info?.status === 'pending' && !done && (
            <Stack
              gap="sm"
              component="form"
              onSubmit={submit}
              {...noNativeValidation}
              aria-label="Choose your password"
            >
              <Text size="sm">
                This invitation is for <b>{info.userName}</b> ({info.login}). Choose your password; the link works once,
                until {info.expiresAt ? formatDateTime(info.expiresAt) : 'it expires'}.
              </Text>
              <PasswordInput
                label="New password"
                description="At least 8 characters"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={errors.password}
                required
                data-autofocus
              />
              <PasswordInput
                label="Repeat the password"
                autoComplete="new-password"
                value={again}
                onChange={(e) => setAgain(e.currentTarget.value)}
                error={errors.again}
                required
              />
              {problem && (
                <Alert color="red" variant="light" role="alert">
                  {problem}
                </Alert>
              )}
              <Button type="submit" loading={busy}>
                Set my password
              </Button>
            </Stack>
          )}
          {!info && problem && (
            <Alert color="red" variant="light" role="alert">
              {problem}
            </Alert>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}

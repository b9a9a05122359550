import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Card,
  Center,
  Divider,
  PasswordInput,
  Radio,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconPhoneCall } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { api } from '../../app/api';
import { signedIn } from '../../app/session';
import { useAppDispatch, useAppSelector } from '../../app/store';
import { roleLabel } from '../../ui/format';
import { choicesOf } from './accountChoice';
import { useDemoUsersQuery, useSignInMutation } from './api';

export function SignIn() {
  const dispatch = useAppDispatch();
  const notice = useAppSelector((s) => s.session.notice);
  const demo = useDemoUsersQuery();
  const [signIn, state] = useSignInMutation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  // When one email and password open several accounts, the person picks one.
  const [accounts, setAccounts] = useState<{ id: string; name: string }[]>([]);
  const [accountId, setAccountId] = useState<string | null>(null);

  function changeCredentials(set: (v: string) => void, v: string) {
    set(v);
    setAccounts([]);
    setAccountId(null);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const chosen = accounts.length > 0 && accountId ? Number(accountId) : undefined;
    const r = await signIn({ login, password, ...(chosen ? { accountId: chosen } : {}) });
    if ('error' in r) {
      const failure = r.error as { code?: string; message?: string; fields?: Record<string, string> };
      const offered = failure.code === 'conflict' ? choicesOf(failure.fields) : [];
      if (offered.length > 1) {
        setAccounts(offered);
        setAccountId(null);
        setError('This email and password open more than one account. Choose the account to sign in to.');
        return;
      }
      setError(failure.message ?? 'Could not sign in.');
      return;
    }
    dispatch(api.util.resetApiState());
    dispatch(signedIn());
  }

  return (
    <Center component="main" mih="100%" p="md" bg="var(--mantine-color-body)">
      <Stack w={460} gap="lg">
        <Stack gap={4} align="center">
          <IconPhoneCall size={36} stroke={1.6} color="var(--mantine-color-indigo-6)" aria-hidden />
          <Title order={1} fz={26}>
            Teamline
          </Title>
          <Text c="dimmed" size="sm">
            Your business phone, and your team’s access to it.
          </Text>
        </Stack>
        <Card withBorder padding="lg" radius="lg" component="form" onSubmit={submit} aria-label="Sign in">
          <Stack>
            {notice && <Alert color="yellow">{notice}</Alert>}
            <TextInput
              label="Email or extension"
              placeholder="you@company.com or 105"
              value={login}
              onChange={(e) => changeCredentials(setLogin, e.currentTarget.value)}
              autoComplete="username"
              required
              autoFocus
            />
            <PasswordInput
              label="Password"
              value={password}
              onChange={(e) => changeCredentials(setPassword, e.currentTarget.value)}
              autoComplete="current-password"
              required
            />
            {error && (
              <Alert color={accounts.length > 0 ? 'blue' : 'red'} role="alert">
                {error}
              </Alert>
            )}
            {accounts.length > 0 && (
              <Radio.Group label="Account" value={accountId} onChange={setAccountId} required>
                <Stack gap={6} mt={6}>
                  {accounts.map((a) => (
                    <Radio key={a.id} value={a.id} label={a.name} />
                  ))}
                </Stack>
              </Radio.Group>
            )}
            <Button type="submit" loading={state.isLoading} disabled={accounts.length > 0 && !accountId} fullWidth>
              Sign in
            </Button>
          </Stack>
        </Card>
        {demo.data && demo.data.length > 0 && (
          <Card withBorder padding="md" radius="lg">
            <Text fw={600} size="sm">
              Demo account
            </Text>
            <Text size="xs" c="dimmed" mb="xs">
              Pick a person to sign in as them. Every demo password is <code>{demo.data[0]?.password}</code>.
            </Text>
            <Divider mb={4} />
            <Box mah={260} style={{ overflowY: 'auto' }}>
              <Table verticalSpacing={4} highlightOnHover aria-label="Demo users">
                <Table.Tbody>
                  {demo.data.map((u) => (
                    <Table.Tr key={u.email}>
                      <Table.Td w={48}>
                        <Text size="sm" c="dimmed" className="tabular">
                          {u.extension}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Anchor
                          component="button"
                          type="button"
                          size="sm"
                          onClick={() => {
                            setLogin(u.email);
                            setPassword(u.password);
                          }}
                        >
                          {u.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Badge color={u.role === 'administrator' ? 'grape' : u.role === 'manager' ? 'blue' : 'gray'}>
                          {roleLabel[u.role]}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Box>
          </Card>
        )}
      </Stack>
    </Center>
  );
}

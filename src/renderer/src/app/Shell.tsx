import {
  Alert,
  AppShell,
  Avatar,
  Badge,
  Button,
  Center,
  Divider,
  Group,
  Indicator,
  Loader,
  Menu,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { IconChevronDown, IconEye, IconLogout, IconPhoneCall } from '@tabler/icons-react';
import { useMediaQuery } from '@mantine/hooks';
import { Suspense, type MouseEvent } from 'react';
import { EmergencyNotices } from '../features/numbers/EmergencyNotices';
import { useMeQuery, useSignOutMutation } from '../features/session/api';
import { useInboxCountsQuery, useViewAsMutation } from '../features/session/inboxApi';
import { accessLabel, formatDateTime, roleLabel } from '../ui/format';
import { notifyError } from '../ui/notify';
import { SoftphoneProvider } from '../softphone/SoftphoneProvider';
import { api, call } from './api';
import { pages } from './pages';
import { href, useRoute } from './router';
import { availableSections } from './sections';
import { signedOut } from './session';
import { useAppDispatch } from './store';

export function Shell() {
  const me = useMeQuery();
  const route = useRoute();
  const counts = useInboxCountsQuery(undefined, { pollingInterval: 60_000 });
  const dispatch = useAppDispatch();
  const [signOut] = useSignOutMutation();
  const [viewAs] = useViewAsMutation();
  // Below 1200 px (a laptop) the sections are a rail of icons, so the page keeps its width.
  const wide = useMediaQuery('(min-width: 75em)', true);

  if (!me.data) {
    return (
      <Center h="100%">
        <Loader aria-label="Loading your workspace" />
      </Center>
    );
  }
  const m = me.data;
  const visible = availableSections(m);
  const current = visible.find((s) => s.key === route.section) ?? null;
  const Page = current ? pages[current.key] : null;
  const badge = (kind?: 'voicemails' | 'threads') => {
    if (!kind || !counts.data) return null;
    const n = kind === 'voicemails' ? counts.data.unreadVoicemails : counts.data.unreadThreads;
    if (n === 0) return null;
    return (
      <Badge size="sm" color="red" variant="filled" aria-label={`${n} unread`}>
        {n >= counts.data.capped ? `${counts.data.capped - 1}+` : n}
      </Badge>
    );
  };

  const stopViewing = async () => {
    const r = await viewAs({ userId: null });
    if ('error' in r) notifyError(r.error);
    dispatch(api.util.resetApiState());
  };
  const doSignOut = async () => {
    await signOut();
    dispatch(api.util.resetApiState());
    dispatch(signedOut(null));
  };

  const access = m.user.access;
  return (
    <SoftphoneProvider me={m} credentials={sipCredentials}>
      {(phone) => (
        <AppShell
          header={{ height: 56 }}
          navbar={{ width: { base: 64, lg: 232 }, breakpoint: 0 }}
          aside={{ width: 320, breakpoint: 0, collapsed: { desktop: !phone.open, mobile: !phone.open } }}
          padding={0}
        >
          <a href="#main-content" className="skip-link" onClick={skipToContent}>
            Skip to content
          </a>
          <AppShell.Header px="md">
            <Group h="100%" justify="space-between" wrap="nowrap">
              <Group gap={8} wrap="nowrap">
                <IconPhoneCall size={22} color="var(--mantine-color-indigo-6)" />
                <Text fw={700}>Teamline</Text>
                <Text c="dimmed" size="sm" visibleFrom="sm">
                  {m.account.name}
                </Text>
              </Group>
              <Group gap="sm" wrap="nowrap">
                {phone.button}
                <Tooltip label="Your call access decides which calls, voicemails and messages you see." withArrow>
                  <Badge
                    variant="outline"
                    color="gray"
                    aria-label={`Call access: ${access ? accessLabel[access.callAccess] : ''}`}
                  >
                    Call access: {access ? accessLabel[access.callAccess] : '—'}
                    {access?.callAccess === 'numbers' ? ` (${access.scopeBnIds.length})` : ''}
                  </Badge>
                </Tooltip>
                <Menu position="bottom-end" withArrow>
                  <Menu.Target>
                    <UnstyledButton aria-label="Account menu">
                      <Group gap={8} wrap="nowrap">
                        <Avatar size={30} radius="xl" color="indigo">
                          {m.user.name
                            .split(' ')
                            .map((p) => p[0])
                            .join('')
                            .slice(0, 2)}
                        </Avatar>
                        <Stack gap={0}>
                          <Text size="sm" fw={600} lh={1.2}>
                            {m.user.name}
                          </Text>
                          <Text size="xs" c="dimmed" lh={1.2}>
                            {roleLabel[m.user.role]} · Ext. {m.user.extension}
                          </Text>
                        </Stack>
                        <IconChevronDown size={14} />
                      </Group>
                    </UnstyledButton>
                  </Menu.Target>
                  <Menu.Dropdown>
                    <Menu.Item component="a" href={href('settings')}>
                      My settings
                    </Menu.Item>
                    <Menu.Item leftSection={<IconLogout size={14} />} onClick={doSignOut}>
                      Sign out
                    </Menu.Item>
                  </Menu.Dropdown>
                </Menu>
              </Group>
            </Group>
          </AppShell.Header>
          <AppShell.Navbar p="xs" aria-label="Sections">
            <ScrollArea>
              {(['work', 'admin'] as const).map((group) => {
                const items = visible.filter((s) => s.group === group && s.key !== 'settings');
                if (items.length === 0) return null;
                return (
                  <Stack gap={2} mb="md" key={group}>
                    {wide ? (
                      <Text size="xs" c="dimmed" fw={600} tt="uppercase" px="sm" pt={4}>
                        {group === 'work' ? 'Workspace' : 'Manage'}
                      </Text>
                    ) : (
                      group === 'admin' && <Divider />
                    )}
                    {items.map((s) => {
                      const link = (
                        <NavLink
                          key={s.key}
                          href={href(s.key)}
                          label={wide ? s.label : undefined}
                          aria-label={wide ? undefined : s.label}
                          leftSection={
                            wide ? (
                              <s.icon size={18} stroke={1.6} />
                            ) : (
                              <Indicator disabled={!badge(s.badge)} color="red" size={8} offset={2}>
                                <s.icon size={20} stroke={1.6} />
                              </Indicator>
                            )
                          }
                          rightSection={wide ? badge(s.badge) : undefined}
                          active={current?.key === s.key}
                          aria-current={current?.key === s.key ? 'page' : undefined}
                        />
                      );
                      return wide ? (
                        link
                      ) : (
                        <Tooltip key={s.key} label={s.label} position="right">
                          {link}
                        </Tooltip>
                      );
                    })}
                  </Stack>
                );
              })}
            </ScrollArea>
          </AppShell.Navbar>
          <AppShell.Main
            id="main-content"
            tabIndex={-1}
            h="100dvh"
            style={{ display: 'flex', flexDirection: 'column', outline: 'none' }}
          >
            {m.capabilities['carrier.manage'] && !m.viewedBy && <EmergencyNotices />}
            {m.viewedBy && (
              <Alert color="violet" radius={0} icon={<IconEye size={18} />} py={8}>
                <Group justify="space-between">
                  <Text size="sm">
                    You are viewing the console as <b>{m.user.name}</b>, exactly as they see it. Nothing can be changed
                    here.
                  </Text>
                  <Button size="xs" variant="white" color="violet" onClick={stopViewing}>
                    Back to {m.viewedBy.name}
                  </Button>
                </Group>
              </Alert>
            )}
            {m.account.status === 'cancelled' && (
              <Alert color="red" radius={0} py={8}>
                This account was cancelled{m.account.cancelledAt ? ` on ${formatDateTime(m.account.cancelledAt)}` : ''}.
                It is read-only: you can look at its history, but nothing can be changed.
              </Alert>
            )}
            <div style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
              {Page ? (
                <Suspense
                  fallback={
                    <Center h="100%">
                      <Loader aria-label="Loading the page" />
                    </Center>
                  }
                >
                  <Page id={route.id} me={m} />
                </Suspense>
              ) : (
                <Center h="100%">
                  <Stack align="center" gap={4}>
                    <Text fw={600}>This section is not part of your access.</Text>
                    <Text size="sm" c="dimmed">
                      Ask an Administrator if you need it.
                    </Text>
                    <Button component="a" href={href('calls')} variant="light" mt="sm">
                      Go to Calls
                    </Button>
                  </Stack>
                </Center>
              )}
            </div>
          </AppShell.Main>
          <AppShell.Aside aria-label="Phone panel">
            <ScrollArea h="100%">{phone.panel}</ScrollArea>
          </AppShell.Aside>
          {phone.ringing}
        </AppShell>
      )}
    </SoftphoneProvider>
  );
}

/** The skip link moves focus (not only the scroll position) to the page, past the header and the sections. */
function skipToContent(e: MouseEvent<HTMLAnchorElement>) {
  e.preventDefault();
  document.getElementById('main-content')?.focus();
}

const sipCredentials = () => call('sip.credentials', {});

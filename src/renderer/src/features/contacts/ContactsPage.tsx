import {
  ActionIcon,
  Box,
  Button,
  Group,
  Menu,
  Stack,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconDots, IconMessage, IconPhone, IconPlus, IconSearch } from '@tabler/icons-react';
import { useClickToCall } from '../../softphone/runtime';
import { useEffect, useState } from 'react';
import type { Contact } from '../../../../shared/api/entities';
import { navigate } from '../../app/router';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { PagedList } from '../../ui/PagedList';
import { formatPhone } from '../../ui/format';
import { notifyError, notifySaved } from '../../ui/notify';
import { useContactsInfiniteQuery, useDeleteContactMutation } from './api';
import { ContactForm } from './ContactForm';

export const ContactsPage: PageComponent = () => {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const q = useContactsInfiniteQuery(query);
  const [remove] = useDeleteContactMutation();
  const callTo = useClickToCall();

  useEffect(() => {
    const t = window.setTimeout(() => setQuery(search.trim()), 250);
    return () => window.clearTimeout(t);
  }, [search]);

  const confirmDelete = (c: Contact) =>
    modals.openConfirmModal({
      title: `Delete ${c.name}?`,
      children: (
        <Text size="sm">
          The contact leaves the shared address book for everyone. Call and message history keeps the number.
        </Text>
      ),
      labels: { confirm: 'Delete contact', cancel: 'Cancel' },
      confirmProps: { color: 'red' },
      onConfirm: async () => {
        const r = await remove(c.id);
        if ('error' in r) notifyError(r.error, 'Not deleted');
        else notifySaved(`${c.name} deleted.`);
      },
    });

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader
        title="Contacts"
        description="The team’s shared address book."
        actions={
          <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setEditing('new')}>
            Add contact
          </Button>
        }
      />
      <Group px="lg" pb="sm">
        <TextInput
          size="xs"
          w={280}
          aria-label="Search contacts"
          placeholder="Name, company or number"
          leftSection={<IconSearch size={14} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
      </Group>
      <PagedList
        query={q}
        label="Contacts"
        rowHeight={54}
        emptyTitle={query ? 'No contacts match' : 'No contacts yet'}
        emptyText={query ? 'Try another name or number.' : 'Add the people your team talks to.'}
        getKey={(c) => c.id}
        renderRow={(c) => (
          <Group
            px="lg"
            h="100%"
            wrap="nowrap"
            justify="space-between"
            style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
          >
            <UnstyledButton onClick={() => setEditing(c)} style={{ flex: 1, minWidth: 0 }}>
              <Stack gap={0}>
                <VisuallyHidden>Edit</VisuallyHidden>
                <Text size="sm" fw={600} truncate>
                  {c.name}
                </Text>
                <Text size="xs" c="dimmed" truncate>
                  {[formatPhone(c.phone), c.company, c.email].filter(Boolean).join(' · ')}
                </Text>
              </Stack>
            </UnstyledButton>
            <Group gap={4} wrap="nowrap">
              {callTo && (
                <Tooltip label={`Call ${c.name}`}>
                  <ActionIcon
                    variant="subtle"
                    color="teal"
                    aria-label={`Call ${c.name}`}
                    onClick={() => callTo(c.phone)}
                  >
                    <IconPhone size={16} />
                  </ActionIcon>
                </Tooltip>
              )}
              <Tooltip label={`Message ${c.name}`}>
                <ActionIcon
                  variant="subtle"
                  aria-label={`Message ${c.name}`}
                  onClick={() => navigate('messages', null, { to: c.phone })}
                >
                  <IconMessage size={16} />
                </ActionIcon>
              </Tooltip>
              <Menu position="bottom-end">
                <Menu.Target>
                  <ActionIcon variant="subtle" aria-label={`More for ${c.name}`}>
                    <IconDots size={16} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setEditing(c)}>Edit</Menu.Item>
                  <Menu.Item color="red" onClick={() => confirmDelete(c)}>
                    Delete
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          </Group>
        )}
      />
      {editing && (
        <ContactForm
          key={editing === 'new' ? 'new' : editing.id}
          contact={editing === 'new' ? null : editing}
          opened
          onClose={() => setEditing(null)}
        />
      )}
    </Box>
  );
};

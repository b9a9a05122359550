import { Box, Button, Tabs } from '@mantine/core';
import { IconUserPlus, IconUsers, IconUsersGroup } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import type { User } from '../../../../shared/api/entities';
import { navigate, useRoute } from '../../app/router';
import type { PageComponent } from '../../app/sections';
import { PageHeader } from '../../ui/PageHeader';
import { useGroupsQuery, useNumbersQuery, useUsersQuery } from '../directory/api';
import { nextExtension } from './access';
import { AddUser } from './AddUser';
import { DuplicateUser } from './DuplicateUser';
import { GroupsTab } from './GroupsTab';
import { MembersTab } from './MembersTab';
import { UserCard } from './UserCard';

type Tab = 'members' | 'groups';

/**
 * Team (MightyCall's "Team" section): Members and Groups tabs; a member's
 * name opens their user card with "Roles and Access" at #/team/<userId>.
 */
export const TeamPage: PageComponent = ({ id, me }) => {
  const route = useRoute();
  const tab: Tab = route.params.get('tab') === 'groups' ? 'groups' : 'members';
  const tabParams = tab === 'groups' ? { tab } : undefined;
  const groups = useGroupsQuery();
  const numbers = useNumbersQuery();
  const everyone = useUsersQuery({ includeInactive: true });
  const [adding, setAdding] = useState(false);
  const [duplicating, setDuplicating] = useState<User | null>(null);
  const selected = id && /^\d+$/.test(id) ? Number(id) : null;
  const suggestedExtension = nextExtension(everyone.data ?? []);

  /** What opened the user card (a member's name), to give focus back to when it closes. */
  const opener = useRef<HTMLElement | null>(null);
  const open = (userId: number) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    navigate('team', userId, tabParams);
  };
  const closeCard = () => {
    navigate('team', null, tabParams);
    window.requestAnimationFrame(() => {
      const back = opener.current?.isConnected ? opener.current : document.getElementById('main-content');
      back?.focus();
    });
  };

  return (
    <Box style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
      <PageHeader
        title="Team"
        description="Everyone on the account, their roles, and what each of them may see and use."
        actions={
          me.capabilities['users.add'] && (
            <Button size="xs" leftSection={<IconUserPlus size={14} />} onClick={() => setAdding(true)}>
              Add user
            </Button>
          )
        }
      />
      <Tabs
        value={tab}
        onChange={(v) => navigate('team', selected, v === 'groups' ? { tab: 'groups' } : undefined)}
        style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}
        keepMounted={false}
      >
        <Tabs.List px="lg">
          <Tabs.Tab value="members" leftSection={<IconUsers size={14} />}>
            Members
          </Tabs.Tab>
          <Tabs.Tab value="groups" leftSection={<IconUsersGroup size={14} />}>
            Groups
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="members" style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
          <MembersTab
            me={me}
            groups={groups.data ?? []}
            numbers={numbers.data ?? []}
            onOpen={(u) => open(u.id)}
            onDuplicate={setDuplicating}
          />
        </Tabs.Panel>
        <Tabs.Panel value="groups" style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: 0 }}>
          <GroupsTab
            me={me}
            groups={groups.data ?? []}
            loading={groups.isLoading}
            error={groups.error}
            onRetry={groups.refetch}
            onOpenUser={open}
          />
        </Tabs.Panel>
      </Tabs>
      {selected !== null && (
        <UserCard me={me} userId={selected} suggestedExtension={suggestedExtension} onClose={closeCard} />
      )}
      {adding && (
        <AddUser
          me={me}
          numbers={numbers.data ?? []}
          groups={groups.data ?? []}
          suggestedExtension={suggestedExtension}
          onClose={() => setAdding(false)}
        />
      )}
      {duplicating && (
        <DuplicateUser
          source={duplicating}
          suggestedExtension={suggestedExtension}
          onClose={() => setDuplicating(null)}
        />
      )}
    </Box>
  );
};

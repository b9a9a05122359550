import {
  Anchor,
  Badge,
  Box,
  Button,
  Checkbox,
  Group,
  Stack,
  Text,
  ThemeIcon,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconDeviceAudioTape, IconPhone } from '@tabler/icons-react';
import { useCallback, useState } from 'react';
import type { VoicemailRow } from '../../../../shared/api/entities';
import { call } from '../../app/api';
import { href, navigate } from '../../app/router';
import { useClickToCall } from '../../softphone/runtime';
import { WhyVisible } from '../../ui/WhyVisible';
import type { PageComponent } from '../../app/sections';
import { ListRow } from '../../ui/ListRow';
import { PageHeader } from '../../ui/PageHeader';
import { PagedList, usePagedItems } from '../../ui/PagedList';
import { formatDateTime, formatDuration, formatPhone, formatWhen } from '../../ui/format';
import { notifyError } from '../../ui/notify';
import { CallFilters } from '../calls/CallFilters';
import type { CallFilterInput } from '../calls/api';
import { callBackTarget, otherParty } from '../calls/CallRowView';
import { useMeQuery } from '../session/api';
import { useMarkVoicemailReadMutation, useVoicemailsInfiniteQuery } from './api';
import { VoicemailPlayer } from './VoicemailPlayer';

function Row(props: { vm: VoicemailRow; selected: boolean; onOpen: () => void }) {
  const { vm } = props;
  return (
    <ListRow selected={props.selected} onOpen={props.onOpen} px="lg" data={{ 'data-voicemail-id': vm.id }}>
      <Group wrap="nowrap" gap="sm" h="100%">
        <ThemeIcon variant={vm.read ? 'light' : 'filled'} color="orange" radius="xl" size={30} aria-hidden>
          <IconDeviceAudioTape size={16} />
        </ThemeIcon>
        <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
          <VisuallyHidden>{vm.read ? 'Voicemail from' : 'Unread voicemail from'}</VisuallyHidden>
          <Text size="sm" fw={vm.read ? 500 : 700} truncate>
            {otherParty(vm.call)}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {vm.transcript || 'No transcript'}
          </Text>
        </Stack>
        <Stack gap={0} align="flex-end" w={150}>
          <Text size="xs" className="tabular" fw={vm.read ? 400 : 700}>
            {formatWhen(vm.call.startedAt)}
          </Text>
          <Text size="xs" c="dimmed" className="tabular">
            {formatDuration(vm.durationSeconds)}
          </Text>
        </Stack>
      </Group>
    </ListRow>
  );
}

function Detail(props: { vm: VoicemailRow; onClose: () => void }) {
  const { vm } = props;
  const [markRead, marking] = useMarkVoicemailReadMutation();
  const callTo = useClickToCall();
  const me = useMeQuery();
  const c = vm.call;
  const back = callBackTarget(c, me.data?.user.id);
  return (
    <Stack p="md" gap="md" role="region" aria-label="Voicemail">
      <Group justify="space-between">
        <Title order={3} fz="md">
          {otherParty(c)}
        </Title>
        {!vm.read && <Badge color="orange">Unread</Badge>}
      </Group>
      <Stack gap={2}>
        <Text size="sm">
          {formatDateTime(c.startedAt)} · to {c.bnE164 ? formatPhone(c.bnE164) : 'an extension'}
        </Text>
        <Text size="sm" c="dimmed">
          {[
            c.callFlowName,
            c.groupName && `for ${c.groupName}`,
            c.participants.find((p) => p.role === 'voicemail')?.name,
          ]
            .filter(Boolean)
            .join(' · ') || 'Direct voicemail'}
        </Text>
      </Stack>
      <VoicemailPlayer key={vm.id} voicemail={vm} />
      <Group>
        {callTo && back && (
          <Button size="xs" color="teal" leftSection={<IconPhone size={14} />} onClick={() => callTo(back)}>
            Call back
          </Button>
        )}
        {!vm.read && (
          <Button
            size="xs"
            variant="default"
            loading={marking.isLoading}
            onClick={async () => {
              const r = await markRead(vm.id);
              if ('error' in r) notifyError(r.error);
            }}
          >
            Mark as read
          </Button>
        )}
        <Anchor size="sm" href={href('calls', c.id)}>
          Open the call
        </Anchor>
        <WhyVisible load={async () => (await call('calls.get', { callId: c.id })).why} />
        <Anchor size="sm" component="button" onClick={props.onClose}>
          Close
        </Anchor>
      </Group>
    </Stack>
  );
}

export const VoicemailPage: PageComponent = ({ id }) => {
  const [filter, setFilter] = useState<CallFilterInput>({});
  const [unreadOnly, setUnreadOnly] = useState(false);
  const { result: _result, ...callFilter } = filter;
  const q = useVoicemailsInfiniteQuery({ ...callFilter, unreadOnly });
  const items = usePagedItems(q);
  const selectedId = id ? Number(id) : null;
  const selected = items.find((v) => v.id === selectedId) ?? null;
  const onFilter = useCallback((f: CallFilterInput) => setFilter(f), []);

  return (
    <Box style={{ display: 'flex', flex: 1, minHeight: 0 }}>
      <Box style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
        <PageHeader
          title="Voicemail"
          description="Voicemails of the calls your access lets you see."
          actions={
            <Checkbox
              label="Unread only"
              checked={unreadOnly}
              onChange={(e) => setUnreadOnly(e.currentTarget.checked)}
            />
          }
        />
        <CallFilters value={filter} onChange={onFilter} showResult={false} />
        <PagedList
          query={q}
          label="Voicemails"
          rowHeight={58}
          getKey={(v) => v.id}
          renderRow={(v) => <Row vm={v} selected={v.id === selectedId} onOpen={() => navigate('voicemail', v.id)} />}
          emptyTitle={unreadOnly ? 'No unread voicemail' : 'No voicemail'}
          emptyText={unreadOnly ? 'You have listened to everything.' : 'Voicemails you can see will show up here.'}
          footer={`${items.length.toLocaleString()} shown${q.hasNextPage ? ' · scroll for more' : ''}`}
        />
      </Box>
      {selected && (
        <Box w={400} style={{ borderLeft: '1px solid var(--mantine-color-default-border)', overflowY: 'auto' }}>
          <Detail vm={selected} onClose={() => navigate('voicemail')} />
        </Box>
      )}
    </Box>
  );
};

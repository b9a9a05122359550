import { Button, ColorSwatch, Group, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { formatPhone } from '../ui/format';
import { dialTarget } from './dialTarget';
import { presenceColor, presenceLabel, useDirectoryQuery } from './directoryApi';
import type { Line } from './slice';

/** Who can take the call now comes first; Do not disturb (their phone will not ring: voicemail) last. */
const presenceOrder = { available: 0, away: 1, on_call: 2, offline: 3, dnd: 4 } as const;

/**
 * Where to send a call: a teammate (with whether they can take it now) or
 * any number. "Transfer" hands the call over at once; "Consult" calls them
 * first on the other line, and "Connect" then joins the two.
 */
export function TransferPicker(props: {
  line: Line;
  other: Line | null;
  ownExtension: string;
  onTransfer: (to: string) => void;
  onConsult: (to: string) => void;
  onConnect: () => void;
}) {
  const dir = useDirectoryQuery();
  const [search, setSearch] = useState('');
  const typed = dialTarget(search);
  const members = useMemo(() => {
    const s = search.trim().toLowerCase();
    return (dir.data?.members ?? [])
      .filter(
        (m) =>
          m.extension !== props.ownExtension && (!s || m.name.toLowerCase().includes(s) || m.extension.startsWith(s)),
      )
      .sort((a, b) => presenceOrder[a.presence] - presenceOrder[b.presence] || a.name.localeCompare(b.name));
  }, [dir.data, search, props.ownExtension]);
  const other =
    props.other && (props.other.state === 'established' || props.other.state === 'held') ? props.other : null;

  return (
    <Stack gap="xs" w={300}>
      {other && (
        <Button size="xs" onClick={props.onConnect}>
          Connect with {other.remoteName ?? formatPhone(other.remote)}
        </Button>
      )}
      <TextInput
        size="xs"
        label="Transfer to"
        placeholder="Name, extension or number"
        leftSection={<IconSearch size={14} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        data-autofocus
      />
      <ScrollArea.Autosize mah={200} type="auto">
        <Stack gap={2} role="list" aria-label="Teammates">
          {members.map((m) => (
            <Group
              key={m.userId}
              gap={6}
              wrap="nowrap"
              justify="space-between"
              role="listitem"
              aria-label={`${m.name}, ${presenceLabel[m.presence]}`}
            >
              <Group gap={8} wrap="nowrap" style={{ minWidth: 0, flex: 1 }}>
                <ColorSwatch
                  size={10}
                  color={`var(--mantine-color-${presenceColor[m.presence]}-6)`}
                  withShadow={false}
                  aria-hidden
                />
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <Text size="xs" fw={600} truncate>
                    {m.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    Ext. {m.extension} · {presenceLabel[m.presence]}
                  </Text>
                </Stack>
              </Group>
              <Button.Group>
                <Button
                  size="compact-xs"
                  variant="default"
                  onClick={() => props.onTransfer(m.extension)}
                  aria-label={`Transfer to ${m.name}`}
                >
                  Transfer
                </Button>
                {!other && (
                  <Button
                    size="compact-xs"
                    variant="default"
                    onClick={() => props.onConsult(m.extension)}
                    aria-label={`Consult ${m.name}`}
                  >
                    Consult
                  </Button>
                )}
              </Button.Group>
            </Group>
          ))}
          {members.length === 0 && (
            <Text size="xs" c="dimmed">
              {dir.isLoading ? 'Loading the team…' : 'No teammate matches.'}
            </Text>
          )}
        </Stack>
      </ScrollArea.Autosize>
      {typed && !members.some((m) => m.extension === typed) && (
        <Group grow gap={6}>
          <Button size="xs" variant="light" onClick={() => props.onTransfer(typed)}>
            Transfer to {formatPhone(typed)}
          </Button>
          {!other && (
            <Button size="xs" variant="default" onClick={() => props.onConsult(typed)}>
              Consult
            </Button>
          )}
        </Group>
      )}
    </Stack>
  );
}

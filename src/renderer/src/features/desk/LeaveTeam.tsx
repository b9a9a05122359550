import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { DeskInfo } from '../../../../shared/api/desk';

/**
 * On a desktop joined to a team server: which server, and "Leave this team",
 * which forgets this desktop's sign-in and the server here (removing the
 * desktop on the server when it answers) and goes back to the first-run
 * chooser. Not shown in a browser or on the demo.
 */
export function LeaveTeam() {
  const desk = window.desk;
  const [info, setInfo] = useState<DeskInfo | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (desk) void desk.info().then(setInfo);
  }, [desk]);
  if (!desk || info?.mode !== 'joined') return null;
  const server = info.status?.server ?? 'your team’s server';

  async function leave() {
    setBusy(true);
    const r = await desk!.leave();
    setBusy(false);
    if (!r.ok) setProblem(r.message);
  }

  return (
    <Card withBorder component="section" aria-labelledby="leave-team-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="leave-team-title">
          This computer
        </Title>
        <Text size="sm">
          Joined to the team at <b>{server}</b>. Leaving removes this computer from your devices (when the server can be
          reached), forgets its sign-in here, and brings back the first-run choice.
        </Text>
        {problem && (
          <Alert color="red" role="alert">
            {problem}
          </Alert>
        )}
        {asking ? (
          <Group>
            <Text size="sm" fw={600}>
              Leave the team on this computer?
            </Text>
            <Button color="red" loading={busy} onClick={() => void leave()}>
              Yes, leave this team
            </Button>
            <Button variant="default" disabled={busy} onClick={() => setAsking(false)}>
              Cancel
            </Button>
          </Group>
        ) : (
          <Group>
            <Button variant="default" color="red" onClick={() => setAsking(true)}>
              Leave this team
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

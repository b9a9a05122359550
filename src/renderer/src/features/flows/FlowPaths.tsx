import { Box, Stack, Text } from '@mantine/core';
import type { FlowStep } from '../../../../shared/api/entities';
import { callPaths, type FlowNames } from './flowText';

/** Every way a call can take through the flow, one line each, for a quick read of what the flow does. */
export function FlowPaths(props: { steps: readonly FlowStep[]; names: FlowNames }) {
  const paths = callPaths(props.steps, props.names);
  if (props.steps.length === 0) return null;
  return (
    <Stack gap={4} component="section" aria-label="How calls go through this flow">
      <Text size="sm" fw={600}>
        How calls go
      </Text>
      <Box component="ol" m={0} pl={20}>
        {paths.map((p, i) => (
          <Text component="li" key={i} size="sm" py={1}>
            {p.parts.join(' → ')}
            {!p.voicemail && (
              <Text span size="sm" c="dimmed">
                {p.parts.length > 0 ? ' → ' : ''}call ends
              </Text>
            )}
          </Text>
        ))}
      </Box>
      {paths.length >= 40 && (
        <Text size="xs" c="dimmed">
          Showing the first 40 paths.
        </Text>
      )}
    </Stack>
  );
}

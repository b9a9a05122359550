import { Button, SimpleGrid, Stack, Text } from '@mantine/core';

const keys: [string, string][] = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
];

export function Keypad(props: { onKey: (key: string) => void; label: string }) {
  return (
    <SimpleGrid cols={3} spacing={6} verticalSpacing={6} role="group" aria-label={props.label}>
      {keys.map(([k, letters]) => (
        <Button key={k} variant="default" h={44} onClick={() => props.onKey(k)} aria-label={`Key ${k}`}>
          <Stack gap={0} align="center">
            <Text fw={600} lh={1}>
              {k}
            </Text>
            <Text fz={9} c="dimmed" lh={1} h={9}>
              {letters}
            </Text>
          </Stack>
        </Button>
      ))}
    </SimpleGrid>
  );
}

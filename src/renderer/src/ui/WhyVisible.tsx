import { Button, Popover, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import type { VisibilityReason } from '../../../shared/api/entities';
import { notifyError } from './notify';

/** "Why can I see this?": asks the main process which rule of the access policy shows the item. */
export function WhyVisible(props: { load: () => Promise<VisibilityReason> }) {
  const [why, setWhy] = useState<VisibilityReason | null>(null);
  const [opened, setOpened] = useState(false);
  return (
    <Popover opened={opened} onChange={setOpened} width={300} position="bottom-end" withArrow>
      <Popover.Target>
        <Button
          size="compact-xs"
          variant="subtle"
          color="gray"
          leftSection={<IconInfoCircle size={14} />}
          onClick={async () => {
            setOpened((o) => !o);
            if (!why) {
              try {
                setWhy(await props.load());
              } catch (e) {
                notifyError(e, 'Could not explain this');
              }
            }
          }}
        >
          Why can I see this?
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Text size="sm">{why?.explanation ?? '…'}</Text>
      </Popover.Dropdown>
    </Popover>
  );
}

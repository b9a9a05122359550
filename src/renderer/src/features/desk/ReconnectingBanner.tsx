import { Alert, Box } from '@mantine/core';
import { IconPlugConnectedX, IconRefresh } from '@tabler/icons-react';
import type { DeskStatus } from '../../../../shared/api/desk';
import { bannerFor } from './deskView';

/**
 * Over the console of a joined desktop: "Reconnecting…" while the team
 * server is out of reach, and why, when it refused this desktop for good.
 */
export function ReconnectingBanner({ status }: { status: DeskStatus | null }) {
  const banner = bannerFor(status);
  return (
    // The live region stays mounted so that screen readers hear the change; a refusal is an alert of its own.
    <Box
      aria-live="polite"
      pos="fixed"
      top={8}
      left="50%"
      style={{ transform: 'translateX(-50%)', zIndex: 400, maxWidth: 560, width: 'calc(100% - 32px)' }}
    >
      {banner && (
        <Alert
          color={banner.tone === 'error' ? 'red' : 'yellow'}
          variant="filled"
          role={banner.urgent ? 'alert' : 'status'}
          title={banner.title}
          icon={banner.tone === 'error' ? <IconPlugConnectedX aria-hidden /> : <IconRefresh aria-hidden />}
        >
          {banner.message}
        </Alert>
      )}
    </Box>
  );
}

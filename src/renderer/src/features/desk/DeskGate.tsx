import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import type { DeskInfo, DeskStatus } from '../../../../shared/api/desk';
import { onBrowserConnection } from '../../app/transport';

// Not in the browser's first load: the chooser is the desktop's only, and the banner is fetched just after.
const ChooserPage = lazy(() => import('./ChooserPage').then((m) => ({ default: m.ChooserPage })));
const loadBanner = () => import('./ReconnectingBanner').then((m) => ({ default: m.ReconnectingBanner }));
const ReconnectingBanner = lazy(loadBanner);

/**
 * The desktop app's first question, before the console: on the first run
 * the chooser; a joined desktop gets its connection banner. In a browser
 * (no `window.desk`) the console shows with the banner of its own
 * connection to the server ("Reconnecting…" while the server restarts).
 */
export function DeskGate({ children }: { children: ReactNode }) {
  const desk = window.desk;
  const [info, setInfo] = useState<DeskInfo | null>(null);
  // Followed from the start, not from when the (lazy) banner mounts: a change in between is not lost.
  const [pushed, setPushed] = useState<DeskStatus | null>(null);
  useEffect(() => {
    if (desk) return undefined;
    // Fetched while the server is there: when it is not, the banner must already be loaded.
    void loadBanner();
    return onBrowserConnection(setPushed);
  }, [desk]);
  useEffect(() => {
    if (!desk) return undefined;
    const off = desk.onStatus(setPushed);
    void desk.info().then(setInfo);
    return off;
  }, [desk]);
  if (!desk)
    return (
      <>
        <Suspense fallback={null}>
          <ReconnectingBanner status={pushed} />
        </Suspense>
        {children}
      </>
    );
  const starting = (
    <Center h="100%">
      <Loader aria-label="Starting" />
    </Center>
  );
  if (!info) return starting;
  if (info.mode === 'choose') {
    return (
      <Suspense fallback={starting}>
        <ChooserPage desk={desk} info={info} />
      </Suspense>
    );
  }
  return (
    <>
      {info.mode === 'joined' && (
        <Suspense fallback={null}>
          <ReconnectingBanner status={pushed ?? info.status} />
        </Suspense>
      )}
      {children}
    </>
  );
}

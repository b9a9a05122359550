import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import type { DeskInfo, DeskStatus } from '../../../../shared/api/desk';

// Desktop only: the browser's first load does not carry them.
const ChooserPage = lazy(() => import('./ChooserPage').then((m) => ({ default: m.ChooserPage })));
const ReconnectingBanner = lazy(() => import('./ReconnectingBanner').then((m) => ({ default: m.ReconnectingBanner })));

/**
 * The desktop app's first question, before the console: on the first run
 * the chooser; a joined desktop gets its connection banner. In a browser
 * (no `window.desk`) the console shows as it is.
 */
export function DeskGate({ children }: { children: ReactNode }) {
  const desk = window.desk;
  const [info, setInfo] = useState<DeskInfo | null>(null);
  // Followed from the start, not from when the (lazy) banner mounts: a change in between is not lost.
  const [pushed, setPushed] = useState<DeskStatus | null>(null);
  useEffect(() => {
    if (!desk) return undefined;
    const off = desk.onStatus(setPushed);
    void desk.info().then(setInfo);
    return off;
  }, [desk]);
  if (!desk) return children;
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

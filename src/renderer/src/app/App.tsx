import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect } from 'react';
import { SignIn } from '../features/session/SignIn';
import { isJoinPage, JoinPage } from '../features/team/JoinPage';
import { call } from './api';
import { listenForPushEvents } from './events';
import { signedIn, signedOut } from './session';
import { useAppDispatch, useAppSelector } from './store';

// The signed-in console (its pages, the softphone and its SIP stack) loads after sign-in, not on the sign-in screen.
const Shell = lazy(() => import('./Shell').then((m) => ({ default: m.Shell })));

export function App() {
  const dispatch = useAppDispatch();
  const status = useAppSelector((s) => s.session.status);

  useEffect(() => {
    const stopListening = listenForPushEvents(dispatch);
    return stopListening;
  }, [dispatch]);
  useEffect(() => {
    call('auth.me', {}).then(
      () => dispatch(signedIn()),
      () => dispatch(signedOut(null)),
    );
  }, [dispatch]);

  // An invitation's page works whoever is signed in on this browser: it is the invitee's.
  if (isJoinPage()) return <JoinPage />;
  if (status === 'checking') {
    return (
      <Center h="100%">
        <Loader aria-label="Starting" />
      </Center>
    );
  }
  if (status !== 'signedIn') return <SignIn />;
  return (
    <Suspense
      fallback={
        <Center h="100%">
          <Loader aria-label="Loading your workspace" />
        </Center>
      }
    >
      <Shell />
    </Suspense>
  );
}

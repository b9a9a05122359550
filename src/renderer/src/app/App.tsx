import { Center, Loader } from '@mantine/core';
import { useEffect } from 'react';
import { SignIn } from '../features/session/SignIn';
import { call } from './api';
import { listenForPushEvents } from './events';
import { signedIn, signedOut } from './session';
import { Shell } from './Shell';
import { useAppDispatch, useAppSelector } from './store';

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

  if (status === 'checking') {
    return (
      <Center h="100%">
        <Loader aria-label="Starting" />
      </Center>
    );
  }
  return status === 'signedIn' ? <Shell /> : <SignIn />;
}

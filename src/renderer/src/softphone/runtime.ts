import { createContext, useContext } from 'react';
import type { Softphone } from './service';

/** The app's one softphone, for components that place or control calls. */
export const SoftphoneContext = createContext<Softphone | null>(null);
export const useSoftphone = () => useContext(SoftphoneContext);

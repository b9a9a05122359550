import { createContext, useContext } from 'react';
import type { Softphone } from './service';

export interface SoftphoneHandle {
  phone: Softphone;
  /** Opens the dialer, with a number filled in (click-to-call). */
  openDialer: (to?: string) => void;
}

/** The app's one softphone, for components that place or control calls; null when there is none (View as). */
export const SoftphoneContext = createContext<SoftphoneHandle | null>(null);
export const useSoftphone = () => useContext(SoftphoneContext)?.phone ?? null;
export const useClickToCall = () => useContext(SoftphoneContext)?.openDialer ?? null;

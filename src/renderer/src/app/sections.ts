import type { Icon } from '@tabler/icons-react';
import {
  IconAddressBook,
  IconBuildingBroadcastTower,
  IconChartBar,
  IconBuilding,
  IconCreditCard,
  IconHierarchy2,
  IconHistory,
  IconListDetails,
  IconMessages,
  IconPhone,
  IconPlugConnected,
  IconUserCircle,
  IconUsersGroup,
  IconDeviceAudioTape,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import type { Me } from '../../../shared/api/contract';
import { pages } from './pages';

export interface Section {
  key: string;
  label: string;
  icon: Icon;
  group: 'work' | 'admin';
  /** Mirrors the capability summary; the main process still decides every action. */
  show: (me: Me) => boolean;
  badge?: 'voicemails' | 'threads';
}

const c = (me: Me, ...names: (keyof Me['capabilities'])[]) => names.some((n) => me.capabilities[n]);
const isAdmin = (me: Me) => me.user.role === 'administrator';

export const sections: Section[] = [
  { key: 'calls', label: 'Calls', icon: IconPhone, group: 'work', show: () => true },
  // Everyone: an Agent's dashboard covers the calls their own access shows, as the list does.
  { key: 'dashboard', label: 'Dashboard', icon: IconChartBar, group: 'work', show: () => true },
  {
    key: 'voicemail',
    label: 'Voicemail',
    icon: IconDeviceAudioTape,
    group: 'work',
    show: () => true,
    badge: 'voicemails',
  },
  { key: 'messages', label: 'Messages', icon: IconMessages, group: 'work', show: () => true, badge: 'threads' },
  { key: 'contacts', label: 'Contacts', icon: IconAddressBook, group: 'work', show: () => true },
  {
    key: 'team',
    label: 'Team',
    icon: IconUsersGroup,
    group: 'admin',
    show: (me) => c(me, 'users.add', 'users.settings', 'users.access', 'users.role', 'groups.manage'),
  },
  { key: 'flows', label: 'Call flows', icon: IconHierarchy2, group: 'admin', show: (me) => c(me, 'callFlows.manage') },
  { key: 'numbers', label: 'Numbers', icon: IconListDetails, group: 'admin', show: (me) => c(me, 'numbers.manage') },
  // Numbers → Carrier: the trunks and the emergency settings, Administrators only.
  {
    key: 'carrier',
    label: 'Carrier',
    icon: IconBuildingBroadcastTower,
    group: 'admin',
    show: (me) => c(me, 'carrier.manage'),
  },
  {
    key: 'integrations',
    label: 'Integrations',
    icon: IconPlugConnected,
    group: 'admin',
    show: (me) => c(me, 'integrations.manage'),
  },
  { key: 'billing', label: 'Billing', icon: IconCreditCard, group: 'admin', show: (me) => c(me, 'billing.manage') },
  { key: 'account', label: 'Account', icon: IconBuilding, group: 'admin', show: isAdmin },
  { key: 'audit', label: 'Audit log', icon: IconHistory, group: 'admin', show: (me) => c(me, 'audit.read') },
  { key: 'settings', label: 'My settings', icon: IconUserCircle, group: 'work', show: () => true },
];

/** Sections whose page exists, in navigation order. */
export const availableSections = (me: Me) =>
  sections.filter((s) => s.key in pages && s.show(me)) as (Section & { key: keyof typeof pages })[];

export type PageComponent = ComponentType<{ id: string | null; me: Me }>;

import type { Method } from '../../../../shared/api/contract';
import type { Handler } from '../handler';
import { accountHandlers } from './account';
import { auditHandlers } from './audit';
import { authHandlers, authPreparers } from './auth';
import { billingHandlers } from './billing';
import { callFlowsHandlers } from './callFlows';
import { callsHandlers } from './calls';
import { callAnnotationsHandlers, callNotesHandlers, callTagsHandlers, dashboardHandlers } from './callReview';
import { carrierHandlers, emergenciesHandlers } from './carrier';
import { contactsHandlers } from './contacts';
import { exportsHandlers } from './exports';
import { groupsHandlers } from './groups';
import { inboxHandlers } from './inbox';
import { devicesHandlers, invitationPreparers, invitationsHandlers } from './invitations';
import { integrationsHandlers } from './integrations';
import { liveRecordingHandlers, liveRecordingPreparers } from './liveRecording';
import { messagesHandlers } from './messages';
import { numbersHandlers } from './numbers';
import { recordingSettingsHandlers, recordingsHandlers } from './recordings';
import { sipHandlers } from './sip';
import { usersHandlers } from './users';
import { voicemailsHandlers } from './voicemails';

/** Every method of the contract has exactly one handler; the type fails to check otherwise. */
export const handlers: { [M in Method]: Handler<M> } = {
  ...authHandlers,
  ...usersHandlers,
  ...groupsHandlers,
  ...callFlowsHandlers,
  ...numbersHandlers,
  ...carrierHandlers,
  ...emergenciesHandlers,
  ...contactsHandlers,
  ...integrationsHandlers,
  ...billingHandlers,
  ...accountHandlers,
  ...auditHandlers,
  ...callsHandlers,
  ...callTagsHandlers,
  ...callAnnotationsHandlers,
  ...callNotesHandlers,
  ...dashboardHandlers,
  ...recordingsHandlers,
  ...recordingSettingsHandlers,
  ...liveRecordingHandlers,
  ...exportsHandlers,
  ...voicemailsHandlers,
  ...messagesHandlers,
  ...inboxHandlers,
  ...sipHandlers,
  ...invitationsHandlers,
  ...devicesHandlers,
};

/** The asynchronous first part of the few methods that hash a password or wait for the phone service; it runs before their transaction. */
export const preparers: Partial<Record<Method, unknown>> = {
  ...authPreparers,
  ...invitationPreparers,
  ...liveRecordingPreparers,
};

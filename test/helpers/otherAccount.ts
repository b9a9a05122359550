import { createDevice } from '../../src/main/core/store/repos/devices';
import { createInvitation } from '../../src/main/core/store/repos/invitations';
import type { Db } from '../../src/main/core/store/db';
import { insertAccount, setOwner } from '../../src/main/core/store/repos/account';
import { insertCall } from '../../src/main/core/store/repos/calls';
import { addTagToCall, insertNote, insertTag } from '../../src/main/core/store/repos/callReview';
import { insertContact } from '../../src/main/core/store/repos/contacts';
import { insertTrunk, newContactToken } from '../../src/main/core/store/repos/carrier';
import { insertEmergency } from '../../src/main/core/store/repos/emergencies';
import { insertFlow } from '../../src/main/core/store/repos/flows';
import { insertGroup, setGroupMembers } from '../../src/main/core/store/repos/groups';
import { insertIntegration } from '../../src/main/core/store/repos/integrations';
import { insertNumber, routeNumber } from '../../src/main/core/store/repos/numbers';
import { insertMessage, insertThread } from '../../src/main/core/store/repos/threads';
import { insertUser } from '../../src/main/core/store/repos/users';
import { registerRecording } from '../../src/main/core/recordings';
import { hashPassword } from '../../src/main/core/domain/password';
import { NOW } from './core';

/** A second company in the same database, to prove its rows are out of reach. */
export function addOtherAccount(db: Db) {
  const accountId = insertAccount(db, 'Other Co', 'company', NOW - 1000);
  const userId = insertUser(db, {
    accountId,
    extension: '100',
    name: 'Olga Other',
    email: 'olga@other.example',
    title: '',
    timezone: 'UTC',
    role: 'administrator',
    callAccess: 'all',
    passwordHash: hashPassword('other-password'),
    createdAt: NOW - 1000,
  });
  setOwner(db, accountId, userId);
  const groupId = insertGroup(db, accountId, 'Other group', NOW);
  setGroupMembers(db, groupId, [userId]);
  const flowId = insertFlow(db, accountId, 'Other flow', [{ kind: 'ring_group', groupId, ringSeconds: 30 }], NOW);
  const bnId = insertNumber(db, accountId, '+16175550100', 'Other line', NOW);
  routeNumber(db, bnId, flowId);
  const callId = insertCall(db, {
    accountId,
    direction: 'inbound',
    result: 'voicemail',
    bnId,
    externalNumber: '+16175550999',
    startedAt: NOW - 5000,
    answeredAt: null,
    endedAt: NOW - 4000,
    callFlowId: flowId,
    groupId,
    participants: [],
    events: [],
    voicemail: { durationSeconds: 5, transcript: 'other' },
  });
  const threadId = insertThread(db, {
    accountId,
    bnId,
    externalNumber: '+16175550999',
    assignedUserId: userId,
    assignedGroupId: null,
    at: NOW,
  });
  insertMessage(db, { threadId, direction: 'inbound', senderUserId: null, body: 'hi', at: NOW });
  const contactId = insertContact(
    db,
    accountId,
    { name: 'Other contact', company: '', phone: '+16175550998', email: '', notes: '' },
    NOW,
  );
  const integrationId = insertIntegration(db, {
    accountId,
    provider: 'hubspot',
    name: 'Other CRM',
    settings: { instanceUrl: 'https://other.example', logCalls: true, logMessages: false, createContacts: false },
    createdBy: userId,
    at: NOW,
  });
  const voicemailId = db.prepare('SELECT id FROM voicemails WHERE call_id = ?').pluck().get(callId) as number;
  const invitationId = createInvitation(db, {
    accountId,
    userId,
    createdBy: userId,
    now: NOW,
    expiresAt: NOW + 86_400_000,
  }).id;
  const deviceId = createDevice(db, { accountId, userId, name: 'Other desk', invitationId: null, now: NOW }).id;
  const tagId = insertTag(db, accountId, 'Other tag', NOW);
  addTagToCall(db, callId, tagId, userId, NOW);
  const noteId = insertNote(db, callId, userId, 'Other note', NOW);
  const recordingId = registerRecording(db, {
    accountId,
    callId,
    path: `recordings/other-${accountId}-${callId}.wav`,
    format: 'wav',
    durationMs: 1000,
    sizeBytes: 16_044,
    startedAt: NOW - 5000,
    createdAt: NOW,
  });
  const trunkId = insertTrunk(
    db,
    accountId,
    newContactToken(),
    {
      name: 'Other carrier',
      host: 'sip.other.example',
      port: 5060,
      transport: 'udp',
      register: false,
      username: '',
      authUsername: '',
      passwordEnc: null,
      realm: '',
      expiry: 600,
      allowCidrs: ['198.51.100.0/24'],
      outboundProxy: '',
      callerIdMode: 'pai',
      callerIdPlus: true,
      role: 'preferred',
      smsLong: false,
    },
    NOW,
  );
  const emergencyId = insertEmergency(db, {
    accountId,
    at: NOW - 3000,
    userId,
    extension: '100',
    number: '911',
    bnId,
    callerId: '+16175550100',
  });
  return {
    accountId,
    trunkId,
    emergencyId,
    userId,
    groupId,
    flowId,
    bnId,
    callId,
    threadId,
    contactId,
    integrationId,
    voicemailId,
    invitationId,
    deviceId,
    tagId,
    noteId,
    recordingId,
  };
}

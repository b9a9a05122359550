import { describe, expect, it } from 'vitest';
import { changes, fieldLabel, formatValue } from '../../src/renderer/src/features/audit/auditDiff';
import type { AuditNames } from '../../src/shared/api/contract';

const names: AuditNames = {
  numbers: {
    2: { formatted: '+1 (213) 647-2453', label: 'Main line (LA)', released: false },
    3: { formatted: '+1 (332) 213-9228', label: '', released: true },
  },
  users: { 7: { name: 'John Smith', extension: '100', active: true } },
  groups: { 4: { name: 'Night shift', deleted: true } },
  callFlows: { 1: { name: 'Main line', deleted: false } },
};

describe('the audit log in the screens’ words', () => {
  it('names fields as the user card does', () => {
    expect(fieldLabel('outboundCallBnIds')).toBe('Outbound call numbers');
    expect(fieldLabel('defaultBnId')).toBe('Default caller ID');
    expect(fieldLabel('memberIds')).toBe('Members');
    expect(fieldLabel('settings.logCalls')).toBe('Settings › log calls');
  });

  it('shows numbers, people, groups and flows by name, and levels and roles by their labels', () => {
    const list = changes(
      { callAccess: 'group', outboundCallBnIds: [2], defaultBnId: 2, role: 'agent', memberIds: [7], callFlowId: null },
      {
        callAccess: 'callflow',
        outboundCallBnIds: [2, 3],
        defaultBnId: 3,
        role: 'manager',
        memberIds: [],
        callFlowId: 1,
      },
    );
    const shown = Object.fromEntries(
      list.map((c) => [c.key, [formatValue(c.before, c.key, names), formatValue(c.after, c.key, names)]]),
    );
    expect(shown).toEqual({
      callAccess: ['Calling group', 'Call flow'],
      outboundCallBnIds: [
        '+1 (213) 647-2453 · Main line (LA)',
        '+1 (213) 647-2453 · Main line (LA), +1 (332) 213-9228 — released',
      ],
      defaultBnId: ['+1 (213) 647-2453 · Main line (LA)', '+1 (332) 213-9228 — released'],
      role: ['Agent', 'Manager'],
      memberIds: ['John Smith (100)', '(none)'],
      callFlowId: ['none', 'Main line'],
    });
    expect(formatValue([4], 'groupIds', names)).toBe('Night shift — deleted');
    expect(formatValue([9], 'scopeBnIds', names)).toBe('a number no longer on record');
    expect(formatValue(['callFlows', 'billing'], 'managerPermissions', names)).toBe(
      'Create & manage call flows; Manage billing information',
    );
  });
});

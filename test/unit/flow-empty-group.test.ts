import { describe, expect, it } from 'vitest';
import type { FlowStep } from '../../src/shared/api/entities';
import { checkFlow, emptyGroupsRung } from '../../src/renderer/src/features/flows/flowCheck';
import type { FlowNames } from '../../src/renderer/src/features/flows/flowText';

const groups = new Map([
  [1, { name: 'Sales', members: 3 }],
  [2, { name: 'Night shift', members: 0 }],
]);
const names: FlowNames = {
  group: (id) => groups.get(id)?.name ?? null,
  user: () => 'Someone',
  members: (id) => groups.get(id)?.members ?? null,
};

describe('a ring step to a group with no members', () => {
  const steps: FlowStep[] = [
    { kind: 'greeting', text: 'Hello' },
    { kind: 'ring_group', groupId: 1, ringSeconds: 30 },
    {
      kind: 'menu',
      text: 'Press 1',
      branches: [{ key: '1', steps: [{ kind: 'ring_group', groupId: 2, ringSeconds: 30 }] }],
    },
  ];

  it('is a warning on that step in the editor, not on the others', () => {
    const check = checkFlow(steps, names);
    expect(check.count).toBe(0);
    const warned = Object.entries(check.warnings).filter(([, w]) => /no members/.test(w));
    expect(warned).toHaveLength(1);
    expect(warned[0]![1]).toMatch(/^Night shift has no members/);
  });

  it('is named in the flow list', () => {
    expect(emptyGroupsRung(steps, names)).toEqual(['Night shift']);
    expect(emptyGroupsRung(steps.slice(0, 2), names)).toEqual([]);
  });
});

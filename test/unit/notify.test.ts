import { beforeEach, describe, expect, it, vi } from 'vitest';

const shown: { id: string; color: string; onClose?: () => void }[] = [];
const hidden: string[] = [];
vi.mock('@mantine/notifications', () => ({
  notifications: {
    show: (n: { color: string; onClose?: () => void }) => {
      const id = `n${shown.length}`;
      shown.push({ id, ...n });
      return id;
    },
    hide: (id: string) => hidden.push(id),
  },
}));

const { notifyError, notifySaved } = await import('../../src/renderer/src/ui/notify');

describe('toasts', () => {
  beforeEach(() => {
    shown.length = 0;
    hidden.length = 0;
  });

  it('a saved change takes away the refusals shown before it, so "Not saved" never stands next to "saved"', () => {
    notifyError({ code: 'invalid', message: 'Name is required' });
    notifyError({ code: 'forbidden', message: 'Only an Administrator can change roles.' });
    notifySaved('John Smith’s settings saved.');
    expect(hidden).toEqual(['n0', 'n1']);
    notifySaved('Contact saved.');
    expect(hidden).toEqual(['n0', 'n1']);
  });

  it('a refusal that closed by itself is not hidden again', () => {
    notifyError({ code: 'invalid', message: 'Name is required' });
    shown[0]!.onClose?.();
    notifySaved('Saved.');
    expect(hidden).toEqual([]);
  });
});

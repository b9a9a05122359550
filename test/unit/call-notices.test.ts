import { beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The desktop's incoming-call notification (src/main/callNotices.ts), with
 * Electron's modules stood in for: only our own window may ask, a malformed
 * request shows nothing, and the buttons only send the window an event.
 */
const h = vi.hoisted(() => ({
  listener: null as null | ((event: unknown, raw: unknown) => void),
  shown: [] as {
    options: Record<string, unknown>;
    handlers: Record<string, (...a: unknown[]) => void>;
    closed: boolean;
  }[],
}));

vi.mock('electron', () => {
  class Notification {
    static isSupported = () => true;
    handlers: Record<string, (...a: unknown[]) => void> = {};
    record: (typeof h.shown)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, handlers: this.handlers, closed: false };
    }
    on(name: string, f: (...a: unknown[]) => void) {
      this.handlers[name] = f;
      return this;
    }
    show() {
      h.shown.push(this.record);
    }
    close() {
      this.record.closed = true;
    }
  }
  return {
    ipcMain: { on: (_channel: string, f: (event: unknown, raw: unknown) => void) => (h.listener = f) },
    Notification,
    BrowserWindow: { fromWebContents: () => ({ isMinimized: () => false, restore: () => {}, focus: () => {} }) },
  };
});

const { wireCallNotices } = await import('../../src/main/callNotices');
const RENDERER = 'file:///app/out/renderer/index.html';

function sender(id: number, url = RENDERER) {
  const sent: unknown[] = [];
  const mainFrame = { url };
  return {
    contents: { id, mainFrame, isDestroyed: () => false, send: (_c: string, e: unknown) => sent.push(e) },
    frame: mainFrame,
    sent,
  };
}

describe('call notifications', () => {
  beforeEach(() => {
    h.shown.length = 0;
    wireCallNotices(RENDERER, (c) => (c as { id: number }).id === 1);
  });
  const ask = (s: ReturnType<typeof sender>, raw: unknown) =>
    h.listener!({ sender: s.contents, senderFrame: s.frame }, raw);

  it('shows a ringing call with Answer and Decline, and its buttons come back to that window as call.action', () => {
    const ours = sender(1);
    ask(ours, { kind: 'show', lineId: 'in-3', title: 'Incoming call', body: 'John Smith · Ext. 100' });
    expect(h.shown).toHaveLength(1);
    expect(h.shown[0]!.options).toMatchObject({
      title: 'Incoming call',
      actions: [{ text: 'Answer' }, { text: 'Decline' }],
    });
    h.shown[0]!.handlers['action']!({}, 0);
    h.shown[0]!.handlers['action']!({}, 1);
    h.shown[0]!.handlers['click']!();
    expect(ours.sent).toEqual([
      { name: 'call.action', lineId: 'in-3', action: 'answer' },
      { name: 'call.action', lineId: 'in-3', action: 'decline' },
      { name: 'call.action', lineId: 'in-3', action: 'show' },
    ]);
    ask(ours, { kind: 'close', lineId: 'in-3' });
    expect(h.shown[0]!.closed).toBe(true);
  });

  it('ignores another window, a page that is not ours, and malformed requests', () => {
    ask(sender(2), { kind: 'show', lineId: 'in-1', title: 'x', body: 'y' });
    ask(sender(1, 'https://evil.example/'), { kind: 'show', lineId: 'in-1', title: 'x', body: 'y' });
    ask(sender(1), { kind: 'show', lineId: '../../etc', title: 'x', body: 'y' });
    ask(sender(1), { kind: 'show', lineId: 'in-1', title: 'x'.repeat(500), body: 'y' });
    ask(sender(1), { kind: 'run', command: 'rm -rf /' });
    expect(h.shown).toHaveLength(0);
  });
});

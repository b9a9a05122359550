import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { Availability } from '../../../shared/primitives';
import { isLive, nextState, type LineEvent, type LineState } from './callMachine';

/** Plain, serialisable call state; the sip.js objects live in the service (softphone/service.ts). */
export interface Line {
  id: string;
  state: LineState;
  direction: 'inbound' | 'outbound';
  /** E.164 number or extension of the other party. */
  remote: string;
  remoteName: string | null;
  /** The business number used as caller ID (outbound) or called (inbound), if any. */
  bnId: number | null;
  bnLabel: string | null;
  muted: boolean;
  /** The other side put the call on hold (their re-INVITE was sendonly or inactive). */
  remoteHeld: boolean;
  /** Keypad tones sent on this call, and tones the other side sent as SIP INFO (the last few). */
  tonesSent: string;
  tonesReceived: string;
  /** Whether the other side's audio arrives: a one-way call is the first thing a caller notices. */
  audio: 'unknown' | 'flowing' | 'silent';
  createdAt: number;
  answeredAt: number | null;
  endedReason: string | null;
}

export type RegistrationStatus = 'offline' | 'connecting' | 'registered' | 'failed';

export interface SoftphoneState {
  registration: { status: RegistrationStatus; reason: string | null };
  lines: Line[];
  /** The line the dialer shows in front. */
  focusedLineId: string | null;
  /** What the user typed into the dialer. */
  dialString: string;
  devices: { microphoneId: string | null; speakerId: string | null; ringerId: string | null };
  microphone: 'unknown' | 'granted' | 'denied' | 'missing';
  /** What the user set: Do not disturb keeps their phone from ringing (the phone service decides, from this). */
  availability: Availability;
}

/** Two lines: one call, and one more waiting or on hold. */
export const MAX_LINES = 2;
const MAX_TONES = 24;

const initialState: SoftphoneState = {
  registration: { status: 'offline', reason: null },
  lines: [],
  focusedLineId: null,
  dialString: '',
  devices: { microphoneId: null, speakerId: null, ringerId: null },
  microphone: 'unknown',
  availability: 'available',
};

export const softphoneSlice = createSlice({
  name: 'softphone',
  initialState,
  reducers: {
    registration: (s, a: PayloadAction<SoftphoneState['registration']>) => {
      s.registration = a.payload;
    },
    lineAdded: (
      s,
      a: PayloadAction<
        Omit<Line, 'muted' | 'remoteHeld' | 'answeredAt' | 'endedReason' | 'tonesSent' | 'tonesReceived' | 'audio'>
      >,
    ) => {
      s.lines = s.lines.filter((l) => isLive(l.state));
      s.lines.push({
        ...a.payload,
        muted: false,
        remoteHeld: false,
        answeredAt: null,
        endedReason: null,
        tonesSent: '',
        tonesReceived: '',
        audio: 'unknown',
      });
      if (!s.focusedLineId || !s.lines.some((l) => l.id === s.focusedLineId && isLive(l.state)))
        s.focusedLineId = a.payload.id;
    },
    /** Applies one event of the state machine; an event the line's state does not accept changes nothing. */
    lineEvent: (s, a: PayloadAction<{ id: string; event: LineEvent; at?: number; reason?: string }>) => {
      const line = s.lines.find((l) => l.id === a.payload.id);
      if (!line) return;
      const next = nextState(line.state, a.payload.event);
      if (!next) return;
      line.state = next;
      if (a.payload.event === 'answered') line.answeredAt = a.payload.at ?? Date.now();
      if (next === 'ended') line.endedReason = a.payload.reason ?? null;
    },
    lineMuted: (s, a: PayloadAction<{ id: string; muted: boolean }>) => {
      const line = s.lines.find((l) => l.id === a.payload.id);
      if (line) line.muted = a.payload.muted;
    },
    lineRemoteHeld: (s, a: PayloadAction<{ id: string; held: boolean }>) => {
      const line = s.lines.find((l) => l.id === a.payload.id);
      if (line) line.remoteHeld = a.payload.held;
    },
    lineAudio: (s, a: PayloadAction<{ id: string; audio: Line['audio'] }>) => {
      const line = s.lines.find((l) => l.id === a.payload.id);
      if (line && line.audio !== a.payload.audio) line.audio = a.payload.audio;
    },
    lineNamed: (s, a: PayloadAction<{ id: string; name: string }>) => {
      const line = s.lines.find((l) => l.id === a.payload.id);
      if (line) line.remoteName = a.payload.name;
    },
    toneSent: (s, a: PayloadAction<{ id: string; tone: string }>) => {
      const line = s.lines.find((l) => l.id === a.payload.id);
      if (line) line.tonesSent = (line.tonesSent + a.payload.tone).slice(-MAX_TONES);
    },
    toneReceived: (s, a: PayloadAction<{ id: string; tone: string }>) => {
      const line = s.lines.find((l) => l.id === a.payload.id);
      if (line) line.tonesReceived = (line.tonesReceived + a.payload.tone).slice(-MAX_TONES);
    },
    lineRemoved: (s, a: PayloadAction<string>) => {
      s.lines = s.lines.filter((l) => l.id !== a.payload);
      if (s.focusedLineId === a.payload) s.focusedLineId = s.lines.find((l) => isLive(l.state))?.id ?? null;
    },
    focused: (s, a: PayloadAction<string>) => {
      s.focusedLineId = a.payload;
    },
    dialStringChanged: (s, a: PayloadAction<string>) => {
      s.dialString = a.payload.slice(0, 40);
    },
    devicesChanged: (s, a: PayloadAction<Partial<SoftphoneState['devices']>>) => {
      s.devices = { ...s.devices, ...a.payload };
    },
    availability: (s, a: PayloadAction<Availability>) => {
      s.availability = a.payload;
    },
    microphone: (s, a: PayloadAction<SoftphoneState['microphone']>) => {
      s.microphone = a.payload;
    },
  },
});

export const sp = softphoneSlice.actions;
export const liveLines = (s: { softphone: SoftphoneState }) => s.softphone.lines.filter((l) => isLive(l.state));

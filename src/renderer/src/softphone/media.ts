/**
 * Sounds and audio outputs. Remote audio plays on the chosen speaker, the
 * ringtone on the chosen ringer device (e.g. the laptop speaker while the
 * call audio goes to a headset).
 */
type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

function element(src?: string, loop = false): SinkAudio {
  const a = new Audio(src) as SinkAudio;
  a.loop = loop;
  a.autoplay = false;
  return a;
}

async function route(a: SinkAudio, deviceId: string | null): Promise<void> {
  if (deviceId && a.setSinkId) await a.setSinkId(deviceId).catch(() => undefined);
}

const files = {
  ringtone: './sounds/ringtone.wav',
  ringback: './sounds/ringback.wav',
  waiting: './sounds/waiting.wav',
};
export type Tone = keyof typeof files;

// Made (and so fetched) on first use: a page load that never rings fetches no sound.
const sounds: Partial<Record<Tone, SinkAudio>> = {};
const sound = (tone: Tone) => (sounds[tone] ??= element(files[tone], true));
const remote = element();

export async function playTone(tone: Tone, deviceId: string | null): Promise<void> {
  const a = sound(tone);
  await route(a, deviceId);
  a.currentTime = 0;
  await a.play().catch(() => undefined);
}

export function stopTone(tone?: Tone): void {
  for (const [name, a] of Object.entries(sounds)) {
    if (a && (!tone || name === tone)) {
      a.pause();
      a.currentTime = 0;
    }
  }
}

/** Plays the other party's audio; one remote stream at a time (the line in front). */
export async function playRemote(stream: MediaStream | null, speakerId: string | null): Promise<void> {
  remote.srcObject = stream;
  await route(remote, speakerId);
  if (stream) await remote.play().catch(() => undefined);
}

export interface AudioDevices {
  microphones: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export async function listDevices(): Promise<AudioDevices> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    microphones: all.filter((d) => d.kind === 'audioinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  };
}

/** Asks for the microphone once, so calls do not stall on a permission prompt; says why when it cannot. */
export async function checkMicrophone(): Promise<'granted' | 'denied' | 'missing'> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    for (const t of stream.getTracks()) t.stop();
    return 'granted';
  } catch (e) {
    const name = (e as { name?: string }).name;
    return name === 'NotFoundError' || name === 'OverconstrainedError' ? 'missing' : 'denied';
  }
}

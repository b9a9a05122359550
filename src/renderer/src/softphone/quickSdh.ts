import type { Session } from 'sip.js';
import {
  SessionDescriptionHandler,
  defaultPeerConnectionConfiguration,
  type MediaStreamFactory,
  type SessionDescriptionHandlerFactory,
  type SessionDescriptionHandlerFactoryOptions,
} from 'sip.js/lib/platform/web';
import { candidatesNeeded, enoughCandidates, ICE_SETTLE_MS, type SeenCandidate } from './iceReady';

/**
 * sip.js's session description handler, without the two waits that made a
 * dial slow (docs/performance.md, "Dial"):
 *
 * - **The microphone off the signalling path.** When the microphone is known
 *   to be allowed, the offer (or answer) is made at once with a silent
 *   placeholder track, and the microphone's track replaces it as soon as
 *   `getUserMedia` returns — no renegotiation, the SDP does not change
 *   (`RTCRtpSender.replaceTrack`). The microphone opens, and the browser's
 *   recording indicator shows, only for a call, as before; it is ready long
 *   before the media path is (ICE and DTLS take longer than the
 *   microphone). If it cannot be opened the call is ended with the reason.
 *   Until the microphone is known to be allowed (a permission prompt may
 *   show) the INVITE waits for it, as sip.js does.
 * - **ICE gathering ended when the candidates suffice** (iceReady.ts),
 *   rather than when the browser's gathering completes.
 */
class QuickSessionDescriptionHandler extends SessionDescriptionHandler {
  private seen: SeenCandidate[] = [];
  private enough = false;
  private settleTimer: number | null = null;
  /** The last change of local tracks: the microphone replaces the placeholder only once it is in. */
  private tracksSet: Promise<void> = Promise.resolve();

  constructor(...args: ConstructorParameters<typeof SessionDescriptionHandler>) {
    super(...args);
    const pc = this._peerConnection!;
    const needed = candidatesNeeded(pc.getConfiguration().iceServers);
    pc.addEventListener('icecandidate', (e) => {
      if (!e.candidate || this.enough) return;
      this.seen.push({ type: e.candidate.type, protocol: e.candidate.protocol });
      if (this.settleTimer === null && enoughCandidates(needed, this.seen))
        this.settleTimer = window.setTimeout(() => {
          this.settleTimer = null;
          this.enough = true;
          this.iceGatheringComplete();
        }, ICE_SETTLE_MS);
    });
  }

  protected override waitForIceGatheringComplete(restart = false, timeout = 0): Promise<void> {
    if (restart) {
      this.seen = [];
      this.enough = false;
      if (this.settleTimer !== null) window.clearTimeout(this.settleTimer);
      this.settleTimer = null;
    } else if (this.enough) return Promise.resolve();
    return super.waitForIceGatheringComplete(restart, timeout);
  }

  protected override setLocalMediaStream(stream: MediaStream): Promise<void> {
    const set = this.tracksSet.then(() => super.setLocalMediaStream(stream));
    this.tracksSet = set.catch(() => undefined);
    return set;
  }

  /** Puts the microphone's track in the placeholder's place (muted if the call was muted meanwhile). */
  async attachMicrophone(stream: MediaStream): Promise<void> {
    await this.tracksSet;
    const sender = this._peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
    const track = stream.getAudioTracks()[0];
    if (!this._peerConnection || !track) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    if (sender?.track) track.enabled = sender.track.enabled;
    await this.setLocalMediaStream(stream);
  }
}

let audioContext: AudioContext | null = null;
/** A silent audio track to hold the microphone's place in the SDP until it opens. */
function placeholderTrack(): MediaStreamTrack {
  audioContext ??= new AudioContext();
  return audioContext.createMediaStreamDestination().stream.getAudioTracks()[0]!;
}

export interface QuickSdhDeps {
  /** True when getUserMedia will not prompt (the microphone was allowed): only then is it taken off the path. */
  microphoneAllowed: () => boolean;
  /** The microphone could not be opened for a call already signalled. */
  microphoneFailed: (session: Session, error: unknown) => void;
}

export function quickSessionDescriptionHandlerFactory(deps: QuickSdhDeps): SessionDescriptionHandlerFactory {
  return (session: Session, options?: SessionDescriptionHandlerFactoryOptions) => {
    const mediaStreamFactory: MediaStreamFactory = (constraints, sdh) => {
      const open = navigator.mediaDevices.getUserMedia(constraints);
      if (!constraints.audio || constraints.video || !deps.microphoneAllowed()) return open;
      open.then(
        (stream) => (sdh as QuickSessionDescriptionHandler).attachMicrophone(stream),
        (error: unknown) => deps.microphoneFailed(session, error),
      );
      return Promise.resolve(new MediaStream([placeholderTrack()]));
    };
    return new QuickSessionDescriptionHandler(
      session.userAgent.getLogger('sip.SessionDescriptionHandler'),
      mediaStreamFactory,
      {
        // As sip.js's default factory: its timeout (5 s unless set), its configuration under the options'.
        iceGatheringTimeout: options?.iceGatheringTimeout ?? 5000,
        peerConnectionConfiguration: {
          ...defaultPeerConnectionConfiguration(),
          ...options?.peerConnectionConfiguration,
        },
      },
    );
  };
}

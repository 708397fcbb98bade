// The sending half of RFC 3389 silence suppression for one stream: the VAD judges each 20 ms frame, and
// per packet the DTX policy says speech, a SID at the noise level, or nothing. Pure.

import { clampLevel } from './comfort-noise';
import { DtxPolicy, type DtxDecision } from './dtx-policy';
import { VoiceActivityDetector } from './voice-activity';

export class SilenceSuppressor {
  private readonly vad = new VoiceActivityDetector();
  private readonly policy = new DtxPolicy();
  private speech = false;

  /** One 20 ms frame of the packet being filled (a packet with any speech in it is sent as speech). */
  frame(pcm: Int16Array, nowMs: number): void {
    if (this.vad.process(pcm, nowMs)) this.speech = true;
  }

  /** The packet is complete: what to send for it. */
  packet(nowMs: number): DtxDecision {
    const speech = this.speech;
    this.speech = false;
    return this.policy.decide(speech, clampLevel(-this.vad.noiseDbov), nowMs);
  }
}

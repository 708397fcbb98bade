// Opus (RFC 6716) as an AudioCodec, through the project's addon built with Debian's libopus (native/src/
// opus_napi.c). Registered in the codec registry when it loads; without libopus at build time Opus is
// simply not offered (codec-registry.ts warns once). RFC 7587: RTP clock 48000; we code mono at 48 kHz.

import { loadNativeAddon, type OpusHandle, type SoftphoneNative } from '../native/native-addon.node';
import type { AudioCodec } from './audio-codec';
import { registerNativeCodec } from './codec-registry';

/** RFC 7587 §4.1: the RTP clock is 48000 whatever the audio bandwidth; we also code at 48 kHz. */
export const OPUS_RATE = 48000;
/** Our dynamic payload type in offers (the answer's may differ; the media session is told). */
const OPUS_PT = 111;
/** Full-band at a rate where in-band FEC (hybrid mode at lower rates) still leaves the 12 kHz band open. */
const BITRATE = 64000;
/** The loss the encoder plans its in-band FEC for (RFC 7587 §3.3 useinbandfec). */
const EXPECTED_LOSS_PERCENT = 5;

type OpusApi = Required<Pick<SoftphoneNative, 'createOpusEncoder' | 'createOpusDecoder' | 'opusEncode' | 'opusDecode' | 'opusPacketSamples' | 'destroyOpus'>>;

/** The addon's Opus functions, or why there are none. */
export function loadOpus(): { api: OpusApi } | { error: string } {
  const load = loadNativeAddon();
  if (!load.addon) return { error: `native addon not loaded: ${load.error}` };
  const a = load.addon;
  if (!a.opusAvailable?.() || !a.createOpusEncoder || !a.createOpusDecoder || !a.opusEncode || !a.opusDecode || !a.opusPacketSamples || !a.destroyOpus) {
    return { error: 'the native addon was built without libopus (install libopus-dev and run npm ci again)' };
  }
  const { createOpusEncoder, createOpusDecoder, opusEncode, opusDecode, opusPacketSamples, destroyOpus } = a;
  return { api: { createOpusEncoder, createOpusDecoder, opusEncode, opusDecode, opusPacketSamples, destroyOpus } };
}

/**
 * One call's Opus: an encoder (in-band FEC on; DTX when the peer asked for it) and a decoder whose own
 * concealment (PLC) replaces G.711 Appendix I. `dtx` can change later (setDtx) when a re-INVITE says so.
 */
export function createOpusCodec(api: OpusApi, options: { dtx?: boolean } = {}): AudioCodec & { setDtx(dtx: boolean): void } {
  let dtx = options.dtx === true;
  let enc: OpusHandle | null = null;
  let dec: OpusHandle | null = null;
  const encoder = (): OpusHandle => {
    enc ??= api.createOpusEncoder(OPUS_RATE, 1, BITRATE, true, dtx, EXPECTED_LOSS_PERCENT);
    if (!enc) throw new Error('libopus could not create an encoder');
    return enc;
  };
  const decoder = (): OpusHandle => {
    dec ??= api.createOpusDecoder(OPUS_RATE, 1);
    if (!dec) throw new Error('libopus could not create a decoder');
    return dec;
  };
  return {
    name: 'OPUS',
    payloadType: OPUS_PT,
    clockRate: OPUS_RATE,
    sampleRate: OPUS_RATE,
    encode(pcm, out) {
      const n = api.opusEncode(encoder(), pcm, out);
      // 1-2 bytes: DTX says this frame need not be sent (RFC 7587 §3.4); negative: an error.
      return n > 2 ? n : 0;
    },
    decode(payload, out) {
      // A packet longer than `out` can hold (a hostile 120 ms frame into a smaller buffer) fails in libopus.
      const n = api.opusDecode(decoder(), payload, out, false);
      return n > 0 ? n : 0;
    },
    packetDuration(payload) {
      // Samples at 48 kHz = RTP timestamp units; negative for a malformed TOC (the packet is dropped).
      return api.opusPacketSamples(payload, OPUS_RATE);
    },
    recover(next, out, samples) {
      const n = api.opusDecode(decoder(), next, out.subarray(0, samples), true);
      return n > 0 ? n : 0;
    },
    conceal(out, samples) {
      const n = api.opusDecode(decoder(), null, out.subarray(0, samples), false);
      return n > 0 ? n : 0;
    },
    destroy() {
      if (enc) api.destroyOpus(enc);
      if (dec) api.destroyOpus(dec);
      enc = dec = null;
    },
    setDtx(on: boolean) {
      if (on === dtx) return;
      dtx = on;
      if (enc) api.destroyOpus(enc);
      enc = null;
    },
  };
}

/** Registers Opus in this thread's codec registry (or the reason it is missing); returns whether it loaded. */
export function registerOpus(): boolean {
  const load = loadOpus();
  if ('error' in load) {
    registerNativeCodec('OPUS', { error: load.error });
    return false;
  }
  registerNativeCodec('OPUS', { factory: () => createOpusCodec(load.api) });
  return true;
}

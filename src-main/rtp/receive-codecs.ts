// Which decoder plays a received RTP packet: every audio payload type of the negotiated answer, not only
// the one we send with (RFC 3264 §6.1/§7: the peer may send any format the answer lists, and switch
// between them at any packet, RFC 3550 §5.1). Pure.

import { getCodec } from '../codec/codec-registry';
import type { AudioCodec } from '../codec/audio-codec';
import type { CodecName, MediaStartParams } from './media-session';

export type ReceiveDecoders = ReadonlyMap<number, AudioCodec>;

/**
 * Payload type -> decoder for a session: the send payload type first, then `receiveCodecs` (the first
 * mapping of a payload type wins). The telephone-event payload type never decodes as audio (RFC 4733).
 * `previous` (the map before a re-INVITE): a payload type that keeps its codec keeps its decoder, so a
 * stateful one (G.722's ADPCM) goes on without a click.
 */
export function receiveDecoders(
  params: Pick<MediaStartParams, 'codec' | 'payloadType' | 'receiveCodecs' | 'telephoneEventPayloadType'>,
  previous?: ReceiveDecoders,
): ReceiveDecoders {
  const map = new Map<number, AudioCodec>();
  const decoderFor = (pt: number, name: CodecName): AudioCodec => {
    const old = previous?.get(pt);
    return old && old.name === name ? old : getCodec(name);
  };
  map.set(params.payloadType, decoderFor(params.payloadType, params.codec));
  for (const r of params.receiveCodecs ?? []) if (!map.has(r.payloadType)) map.set(r.payloadType, decoderFor(r.payloadType, r.codec));
  if (params.telephoneEventPayloadType !== undefined) map.delete(params.telephoneEventPayloadType);
  return map;
}

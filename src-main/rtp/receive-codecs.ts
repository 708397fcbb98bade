// Which decoder plays a received RTP packet: every audio payload type of the negotiated answer, not only
// the one we send with (RFC 3264 §6.1/§7: the peer may send any format the answer lists, and switch
// between them at any packet, RFC 3550 §5.1). Pure.

import { getCodec } from '../codec/codec-registry';
import type { AudioCodec } from '../codec/audio-codec';
import type { MediaStartParams } from './media-session';

export type ReceiveDecoders = ReadonlyMap<number, AudioCodec>;

/**
 * Payload type -> decoder for a session: the send payload type first, then `receiveCodecs` (the first
 * mapping of a payload type wins). The telephone-event payload type never decodes as audio (RFC 4733).
 */
export function receiveDecoders(params: Pick<MediaStartParams, 'codec' | 'payloadType' | 'receiveCodecs' | 'telephoneEventPayloadType'>): ReceiveDecoders {
  const map = new Map<number, AudioCodec>();
  map.set(params.payloadType, getCodec(params.codec));
  for (const r of params.receiveCodecs ?? []) if (!map.has(r.payloadType)) map.set(r.payloadType, getCodec(r.codec));
  if (params.telephoneEventPayloadType !== undefined) map.delete(params.telephoneEventPayloadType);
  return map;
}

// SDP for comfort noise (RFC 3389 §5: CN/8000, static payload type 13 of RFC 3551) and RTCP XR VoIP
// metrics (RFC 3611 §5.1: a=rtcp-xr:voip-metrics), on top of sdp-transform's parse. Pure.

import type { MediaDescription, SessionDescription } from 'sdp-transform';

/** RFC 3551 §6 Table 4: PT 13 is CN/8000 (offered with an rtpmap anyway, as many peers expect one). */
export const CN_STATIC_PT = 13;
const XR_ATTRIBUTE = 'rtcp-xr:';

/** The m= line's CN payload type at 8000 Hz (ours must share G.711's clock), if it lists one. */
export function comfortNoiseOf(m: MediaDescription, payloads: readonly number[]): number | undefined {
  for (const pt of payloads) {
    const map = (m.rtp ?? []).find((r) => r.payload === pt);
    if (map) {
      if (String(map.codec).toUpperCase() === 'CN' && map.rate === 8000 && (map.encoding ?? 1) === 1) return pt;
    } else if (pt === CN_STATIC_PT) {
      return pt;
    }
  }
  return undefined;
}

/** Adds CN/8000 on `pt` to a media description being written. */
export function addComfortNoise(m: MediaDescription, pt: number): void {
  m.rtp.push({ payload: pt, codec: 'CN', rate: 8000 });
}

/**
 * RFC 3611 §5.1: the XR formats an a=rtcp-xr line asks for (media level, else session level): true when
 * voip-metrics is among them. sdp-transform keeps the attribute it does not know in `invalid`.
 */
export function wantsVoipMetrics(session: SessionDescription, m: MediaDescription): boolean {
  const lines = [...xrLines(m), ...(xrLines(m).length === 0 ? xrLines(session) : [])];
  return lines.some((l) => l.split(/\s+/).some((f) => f.toLowerCase() === 'voip-metrics'));
}

/** Adds a=rtcp-xr:voip-metrics: we send VoIP Metrics blocks and want the peer's. */
export function addVoipMetrics(m: MediaDescription): void {
  (m.invalid ??= []).push({ value: `${XR_ATTRIBUTE}voip-metrics` });
}

function xrLines(x: { invalid?: Array<{ value: string }> }): string[] {
  const list = Array.isArray(x.invalid) ? x.invalid : [];
  return list
    .slice(0, 64)
    .map((i) => (typeof i?.value === 'string' ? i.value : ''))
    .filter((v) => v.toLowerCase().startsWith(XR_ATTRIBUTE))
    .map((v) => v.slice(XR_ATTRIBUTE.length).slice(0, 512));
}

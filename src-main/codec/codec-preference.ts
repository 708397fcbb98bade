// Which audio codecs a call offers and in what order (issue 13): a user's list ("pcma,pcmu") checked
// against what this build can code. Pure; used by the CLI's --codecs and the account settings.
import type { CodecName } from '../rtp/media-session';

/** What can be offered now, in the order named in messages (G.722 is offered only when listed). */
export const AVAILABLE_CODECS: readonly CodecName[] = Object.freeze(['OPUS', 'G722', 'PCMU', 'PCMA']);
/** Names users may know from other phones that this build cannot code yet. */
const NOT_YET = new Set<string>(['G729', 'ILBC', 'AMR']);
/**
 * Wideband codecs (16 kHz audio and up): negotiated ahead of narrowband ones when both sides have them.
 * Opus is only offered when the addon has libopus (codec-registry.ts codecAvailable).
 */
export const WIDEBAND_CODECS: readonly CodecName[] = Object.freeze(['OPUS', 'G722']);

export type CodecListResult = { ok: true; codecs: CodecName[] } | { ok: false; error: string };

/** "pcmu,pcma" (any case, comma-separated, no duplicates) to the codec names in that order. */
export function parseCodecList(text: string): CodecListResult {
  const names = text.split(',').map((s) => s.trim().toUpperCase());
  if (names.length === 0 || names.some((n) => n === '')) return { ok: false, error: `give codec names separated by commas, e.g. ${supportedText()}` };
  const out: CodecName[] = [];
  for (const n of names) {
    const codec = AVAILABLE_CODECS.find((c) => c === n);
    if (!codec) {
      const why = NOT_YET.has(n) ? `${n.toLowerCase()} is not available yet` : `unknown codec "${n.toLowerCase().slice(0, 20)}"`;
      return { ok: false, error: `${why} (supported: ${supportedText()})` };
    }
    if (out.includes(codec)) return { ok: false, error: `${n.toLowerCase()} is listed twice` };
    out.push(codec);
  }
  return { ok: true, codecs: out };
}

function supportedText(): string {
  return AVAILABLE_CODECS.map((c) => c.toLowerCase()).join(',');
}

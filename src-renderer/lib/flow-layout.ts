// Pure geometry of the SIP call-flow ladder: one lane for us and one per remote address, one arrow per
// traced message, top to bottom in time order (the classic RFC 3665 call-flow picture).
import type { SipTraceEntry } from '../../src-main/sip/user-agent-api';
import { formatOffset } from './format';
import { sipFacts } from './sip-text';

export type ArrowKind = 'request' | 'provisional' | 'success' | 'redirect' | 'challenge' | 'failure';

export interface LadderLane {
  /** 'local' for us, else the remote address ("127.0.0.1:5060"). */
  id: string;
  x: number;
}

export interface LadderArrow {
  index: number;
  y: number;
  x1: number;
  x2: number;
  /** Method or status line as traced, e.g. "INVITE", "180 Ringing" (possibly shortened to fit). */
  label: string;
  /** The unshortened label. */
  fullLabel: string;
  /** For responses, the method they answer (from CSeq), e.g. "INVITE"; '' when it does not fit. */
  cseqMethod: string;
  hasSdp: boolean;
  offset: string;
  kind: ArrowKind;
  direction: 'in' | 'out';
  remote: string;
}

export interface LadderLayout {
  width: number;
  height: number;
  headerHeight: number;
  lanes: LadderLane[];
  arrows: LadderArrow[];
}

export const LADDER = {
  width: 400,
  timeColumn: 62,
  sideMargin: 58,
  headerHeight: 46,
  rowHeight: 36,
  bottomMargin: 14,
  /** Average glyph width of the 11px label font, for shortening labels that would overrun a span. */
  charWidth: 6.2,
} as const;

export function arrowKind(entry: SipTraceEntry, status: number | null, method: string | null): ArrowKind {
  const code = status ?? (method ? null : Number(/^(\d{3})\b/.exec(entry.summary)?.[1] ?? NaN));
  if (code === null || Number.isNaN(code)) return 'request';
  if (code < 200) return 'provisional';
  if (code < 300) return 'success';
  if (code < 400) return 'redirect';
  // 401/407 ask for credentials (RFC 3261 §22.2, §22.3): the normal first step of an authenticated
  // REGISTER or INVITE, not a failure.
  if (code === 401 || code === 407) return 'challenge';
  return 'failure';
}

export function shorten(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return maxChars <= 1 ? '…' : `${text.slice(0, maxChars - 1)}…`;
}

export function layoutLadder(entries: readonly SipTraceEntry[], width: number = LADDER.width): LadderLayout {
  const remotes: string[] = [];
  for (const e of entries) if (!remotes.includes(e.remote)) remotes.push(e.remote);
  const ids = ['local', ...remotes];
  const left = LADDER.timeColumn + LADDER.sideMargin;
  const right = width - LADDER.sideMargin;
  const step = ids.length > 1 ? (right - left) / (ids.length - 1) : 0;
  const lanes: LadderLane[] = ids.map((id, i) => ({ id, x: ids.length > 1 ? left + i * step : (left + right) / 2 }));
  const laneX = new Map(lanes.map((l) => [l.id, l.x]));

  const t0 = entries[0]?.time ?? 0;
  const arrows = entries.map((e, index): LadderArrow => {
    const facts = sipFacts(e.raw);
    const localX = laneX.get('local') ?? left;
    const remoteX = laneX.get(e.remote) ?? right;
    const [x1, x2] = e.direction === 'out' ? [localX, remoteX] : [remoteX, localX];
    const fullLabel = e.summary.trim() !== '' ? e.summary.trim() : (facts.method ?? String(facts.status ?? '?'));
    const room = Math.floor(Math.abs(x2 - x1) / LADDER.charWidth) - 2;
    const sdpRoom = facts.hasSdp ? 6 : 0;
    const cseq = facts.status !== null ? (facts.cseqMethod ?? '') : '';
    const cseqFits = cseq !== '' && fullLabel.length + cseq.length + 3 + sdpRoom <= room;
    return {
      index,
      y: LADDER.headerHeight + index * LADDER.rowHeight + LADDER.rowHeight * 0.68,
      x1,
      x2,
      label: shorten(fullLabel, Math.max(4, room - sdpRoom)),
      fullLabel,
      cseqMethod: cseqFits ? cseq : '',
      hasSdp: facts.hasSdp,
      offset: formatOffset(e.time - t0),
      kind: arrowKind(e, facts.status, facts.method),
      direction: e.direction,
      remote: e.remote,
    };
  });
  return {
    width,
    height: LADDER.headerHeight + entries.length * LADDER.rowHeight + LADDER.bottomMargin,
    headerHeight: LADDER.headerHeight,
    lanes,
    arrows,
  };
}

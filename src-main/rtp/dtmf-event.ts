// RFC 4733 telephone-events (DTMF): payload encode/decode, digit codes, and the per-tick packet plan.

export interface DtmfEvent {
  /** Event code (RFC 4733 §3.2: 0-9 digits, 10 = *, 11 = #, 12-15 = A-D). */
  event: number;
  /** E bit: this packet ends the event. */
  end: boolean;
  /** Power level in -dBm0, 0..63 (§2.3.4); 10 is customary. */
  volume: number;
  /** Duration so far in timestamp units (§2.3.5). */
  duration: number;
}

export const DTMF_PAYLOAD_SIZE = 4;
const DIGITS = '0123456789*#ABCD';

/**
 * Writes the 4-octet event payload (§2.3: event, E|R|volume, duration) into `out`; returns 4, or 0 if
 * `out` is too small. Fields are clamped to their widths; the reserved R bit is sent as 0.
 */
export function encodeDtmfEvent(ev: DtmfEvent, out: Uint8Array): number {
  if (out.length < DTMF_PAYLOAD_SIZE) return 0;
  const duration = Math.max(0, Math.min(0xffff, Math.round(ev.duration)));
  out[0] = ev.event & 0xff;
  out[1] = (ev.end ? 0x80 : 0) | (Math.max(0, Math.min(63, Math.round(ev.volume))) & 0x3f);
  out[2] = duration >> 8;
  out[3] = duration & 0xff;
  return DTMF_PAYLOAD_SIZE;
}

/** Reads the first event of a telephone-event payload; null if it is shorter than 4 octets. */
export function decodeDtmfEvent(payload: Uint8Array): DtmfEvent | null {
  if (payload.length < DTMF_PAYLOAD_SIZE) return null;
  const b1 = payload[1] as number;
  return {
    event: payload[0] as number,
    end: (b1 & 0x80) !== 0,
    volume: b1 & 0x3f,
    duration: ((payload[2] as number) << 8) | (payload[3] as number),
  };
}

/** The RFC 4733 §3.2 event code of a DTMF digit (0-9 * # A-D, case-insensitive); -1 if not a digit. */
export function dtmfEventCode(digit: string): number {
  if (digit.length !== 1) return -1;
  return DIGITS.indexOf(digit.toUpperCase());
}

/** The digit for an event code 0..15, or undefined for other events (e.g. 16 = flash). */
export function dtmfDigit(event: number): string | undefined {
  return Number.isInteger(event) && event >= 0 && event < DIGITS.length ? DIGITS[event] : undefined;
}

export interface DtmfPlannedPacket extends DtmfEvent {
  /** Marker bit: set on the first packet of the event only (§2.5.1.1). */
  marker: boolean;
  /** Offset to add to the event's start timestamp: always 0, every packet carries the start time. */
  timestampOffset: 0;
}

export interface DtmfPlanOptions {
  clockRate?: number;
  volume?: number;
}

/** Shortest and longest tone we send: 40 ms is the shortest a receiver must detect (ITU-T Q.24). */
export const DTMF_MIN_MS = 40;
export const DTMF_MAX_MS = 5000;

/**
 * The packets to send for one digit, one per packetisation tick: plan[k] goes out at tick k after the
 * event starts. Per RFC 4733 §2.5.1: all packets carry the event's start timestamp; the first has the
 * marker bit; the duration grows by one packet time each tick; the final packet has the E bit and is
 * sent three times in all (§2.5.1.4), so the plan is ceil(duration / ptime) + 2 ticks long. The audio
 * clock keeps running during the event (the caller skips one frame of audio timestamp per tick) and
 * the next audio packet starts a new talkspurt. Returns [] for a character that is not a DTMF digit.
 * Durations are clamped to [40 ms, 5 s] (5 s keeps the 16-bit duration field from wrapping at 8 kHz).
 */
export function dtmfPacketPlan(digit: string, durationMs: number, ptimeMs: number, opts: DtmfPlanOptions = {}): DtmfPlannedPacket[] {
  const event = dtmfEventCode(digit);
  if (event < 0) return [];
  const clockRate = opts.clockRate ?? 8000;
  const volume = opts.volume ?? 10;
  const ptime = Number.isFinite(ptimeMs) && ptimeMs > 0 ? ptimeMs : 20;
  const ms = Math.max(DTMF_MIN_MS, Math.min(DTMF_MAX_MS, Number.isFinite(durationMs) ? durationMs : 100));
  const ticks = Math.max(1, Math.ceil(ms / ptime));
  const step = Math.round((ptime * clockRate) / 1000);
  const plan: DtmfPlannedPacket[] = [];
  for (let k = 0; k < ticks; k++) {
    const end = k === ticks - 1;
    // The duration counts from the event start to the end of the packet interval being sent.
    plan.push({ event, end, volume, duration: Math.min(0xffff, (k + 1) * step), marker: k === 0, timestampOffset: 0 });
  }
  const last = plan[plan.length - 1] as DtmfPlannedPacket;
  plan.push({ ...last, marker: false }, { ...last, marker: false });
  return plan;
}

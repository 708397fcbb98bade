// Received RFC 4733 events become key presses: once per event, whatever the packets' repetition.
import { describe, expect, it } from 'vitest';
import { dtmfPacketPlan, encodeDtmfEvent } from '../../../src-main/rtp/dtmf-event';
import { DtmfReceiver } from '../../../src-main/rtp/dtmf-receive';

function payload(event: number, end: boolean, duration: number): Uint8Array {
  const out = new Uint8Array(4);
  encodeDtmfEvent({ event, end, volume: 10, duration }, out);
  return out;
}

describe('DtmfReceiver', () => {
  it('reports a whole planned event (updates, three end packets) once', () => {
    const r = new DtmfReceiver();
    const got = dtmfPacketPlan('7', 100, 20).map((p) => r.observe(payload(p.event, p.end, p.duration), 8000, p.marker));
    expect(got.filter(Boolean)).toEqual(['7']);
    expect(got[0]).toBe('7');
  });

  it('reports the same key pressed twice (new timestamps) twice, and a key whose first packets were lost', () => {
    const r = new DtmfReceiver();
    expect(r.observe(payload(3, false, 160), 1000, true)).toBe('3');
    expect(r.observe(payload(3, true, 800), 1000, false)).toBeUndefined();
    expect(r.observe(payload(3, false, 160), 3000, true)).toBe('3');
    expect(r.observe(payload(3, true, 800), 3000, false)).toBeUndefined();
    // Only the end packets of the next event arrived.
    expect(r.observe(payload(11, true, 800), 5000, false)).toBe('#');
  });

  it('takes a long event continued under a new timestamp (RFC 4733 §2.5.1.3) as the same press', () => {
    const r = new DtmfReceiver();
    expect(r.observe(payload(1, false, 65535), 0, true)).toBe('1');
    expect(r.observe(payload(1, false, 160), 65535, false)).toBeUndefined();
    expect(r.observe(payload(1, true, 800), 65535, false)).toBeUndefined();
  });

  it('reports no key for events that are not keys (flash) or short payloads', () => {
    const r = new DtmfReceiver();
    expect(r.observe(payload(16, false, 160), 0, true)).toBeUndefined();
    expect(r.observe(new Uint8Array(3), 160, true)).toBeUndefined();
  });
});

// Issue 13: JitterBuffer.peekNext() shows the packet after a lost one (Opus rebuilds the lost frame from
// its in-band FEC, RFC 7587 §3.3), and nothing while buffering or when that packet is missing too.
import { describe, expect, it } from 'vitest';
import { JitterBuffer } from '../../../src-main/rtp/jitter-buffer';

describe('JitterBuffer.peekNext', () => {
  it('after a loss, gives the next packet without consuming it', () => {
    const jb = new JitterBuffer({ frameSamples: 960, clockRate: 48000, minDelayMs: 40, maxDelayMs: 200 });
    for (const seq of [1, 2, 4, 5]) jb.push(seq, seq * 960, new Uint8Array([seq, 0xaa]), 1000 + seq * 20, 7, 111);
    expect(jb.peekNext()).toBeNull(); // still buffering
    let t = 1200;
    expect(jb.pop(t)).toMatchObject({ kind: 'frame', seq: 1 });
    expect(jb.pop((t += 20))).toMatchObject({ kind: 'frame', seq: 2 });
    expect(jb.pop((t += 20))).toEqual({ kind: 'lost' });
    const next = jb.peekNext();
    expect(next?.payloadType).toBe(111);
    expect([...(next?.payload ?? [])]).toEqual([4, 0xaa]);
    expect(jb.pop((t += 20))).toMatchObject({ kind: 'frame', seq: 4 }); // still there to play
    jb.pop((t += 20));
    expect(jb.peekNext()).toBeNull(); // nothing after 5 yet
  });
});

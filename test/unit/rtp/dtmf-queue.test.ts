import { describe, expect, it } from 'vitest';
import { DtmfQueue, type DtmfTick } from '../../../src-main/rtp/dtmf-queue';

function drain(q: DtmfQueue, ticks: number): DtmfTick[] {
  return Array.from({ length: ticks }, () => q.tick());
}

describe('DtmfQueue', () => {
  it('plays digits one after another with voice ticks between them', () => {
    const q = new DtmfQueue(20);
    expect(q.enqueue('1#', 60)).toBe(2);
    const ticks = drain(q, 20);
    const kinds = ticks.map((t) => (t.kind === 'event' ? (t.packet.event === 11 ? '#' : String(t.packet.event)) : '-')).join('');
    // '1' for 60 ms (3 ticks) + the end packet twice more, 60 ms of voice, then '#' the same way.
    expect(kinds).toBe('11111---#####-------');
    const events = ticks.filter((t): t is Extract<DtmfTick, { kind: 'event' }> => t.kind === 'event');
    expect(events.map((e) => e.packet.event)).toEqual([1, 1, 1, 1, 1, 11, 11, 11, 11, 11]);
    expect(events.filter((e) => e.first).length).toBe(2);
    expect(ticks.slice(5, 8).every((t) => t.kind === 'voice')).toBe(true);
    expect(q.busy).toBe(false);
  });

  it('treats "," as a 500 ms pause and ignores characters that are not DTMF', () => {
    const q = new DtmfQueue(20);
    expect(q.enqueue('x,5', 40)).toBe(2);
    const ticks = drain(q, 30);
    const firstEvent = ticks.findIndex((t) => t.kind === 'event');
    expect(firstEvent).toBe(25);
    q.clear();
    expect(q.busy).toBe(false);
    expect(q.tick().kind).toBe('voice');
  });
});

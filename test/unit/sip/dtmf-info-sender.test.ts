// Keys as SIP INFO: one request per key, the next only after the previous is answered, ',' a pause.
import { describe, expect, it } from 'vitest';
import { DtmfInfoSender } from '../../../src-main/sip/dtmf-info-sender';
import type { Clock } from '../../../src-main/sip/sip-clock';

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: next });
      return next++;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('DtmfInfoSender', () => {
  it('sends one INFO per key, each after the previous was answered, with ",” as a 500 ms pause', async () => {
    const clock = fakeClock();
    const sent: string[] = [];
    const answers: Array<(status: number) => void> = [];
    const sender = new DtmfInfoSender({ clock, send: (body) => new Promise((resolve) => { sent.push(body); answers.push(resolve); }) }, 160);
    expect(sender.enqueue('1x2,#')).toBe(4);
    await flush();
    expect(sent).toEqual(['Signal=1\r\nDuration=160\r\n']);
    answers[0]?.(200);
    await flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe('Signal=2\r\nDuration=160\r\n');
    answers[1]?.(200);
    await flush();
    // The pause: nothing before 500 ms have passed.
    clock.advance(499);
    await flush();
    expect(sent).toHaveLength(2);
    clock.advance(1);
    await flush();
    expect(sent[2]).toBe('Signal=#\r\nDuration=160\r\n');
  });

  it('sends nothing more once stopped (the call ended)', async () => {
    const clock = fakeClock();
    const sent: string[] = [];
    let answer: ((s: number | undefined) => void) | undefined;
    const sender = new DtmfInfoSender({ clock, send: (body) => new Promise((resolve) => { sent.push(body); answer = resolve; }) });
    sender.enqueue('123');
    await flush();
    sender.stop();
    answer?.(undefined);
    await flush();
    expect(sent).toHaveLength(1);
    expect(sender.enqueue('4')).toBe(1);
    await flush();
    expect(sent).toHaveLength(1);
  });
});

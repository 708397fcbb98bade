// RFC 8489 §6.2.1 retransmission timing on a fake clock, and response matching by transaction id.

import { describe, expect, it } from 'vitest';
import { retransmitSchedule, StunClientTransaction, StunRequestTable } from '../../../src-main/nat/stun-transaction';
import { decodeStun, encodeStun, newTransactionId } from '../../../src-main/nat/stun-message';
import { FakeClock, seededRandom } from './fake-clock';

describe('StunClientTransaction', () => {
  it('sends at 0, 500, 1500, 3500, 7500, 15500, 31500 ms and times out at 39500 ms (§6.2.1)', () => {
    expect(retransmitSchedule()).toEqual({ sends: [0, 500, 1500, 3500, 7500, 15500, 31500], timeout: 39500 });
    const clock = new FakeClock(0);
    const sentAt: number[] = [];
    let timedOutAt = -1;
    const tx = new StunClientTransaction(clock, { transmit: () => sentAt.push(clock.now()), timeout: () => (timedOutAt = clock.now()) });
    tx.start();
    clock.advance(39_499);
    expect(sentAt).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(timedOutAt).toBe(-1);
    expect(tx.state).toBe('running');
    clock.advance(1);
    expect(timedOutAt).toBe(39_500);
    expect(tx.state).toBe('timed-out');
    expect(clock.pending).toBe(0);
  });

  it('stops retransmitting once a response completes it', () => {
    const clock = new FakeClock(0);
    let sends = 0;
    let timeouts = 0;
    const tx = new StunClientTransaction(clock, { transmit: () => sends++, timeout: () => timeouts++ });
    tx.start();
    clock.advance(600);
    expect(sends).toBe(2);
    expect(tx.complete()).toBe(true);
    expect(tx.complete()).toBe(false);
    clock.advance(60_000);
    expect(sends).toBe(2);
    expect(timeouts).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('honours a custom policy and the reliable-transport timeout', () => {
    expect(retransmitSchedule({ rto: 100, rc: 3, rm: 4 })).toEqual({ sends: [0, 100, 300], timeout: 700 });
    expect(retransmitSchedule({ rto: 500, rc: 7, rm: 16, reliable: true })).toEqual({ sends: [0], timeout: 39_500 });
  });

  it('stopRetransmitting keeps waiting for a late response until the timeout', () => {
    const clock = new FakeClock(0);
    let sends = 0;
    let timedOutAt = -1;
    const tx = new StunClientTransaction(clock, { transmit: () => sends++, timeout: () => (timedOutAt = clock.now()) }, { rto: 100, rc: 5, rm: 8 });
    tx.start();
    clock.advance(150);
    tx.stopRetransmitting();
    clock.advance(10_000);
    expect(sends).toBe(2);
    expect(timedOutAt).toBe(100 + 200 + 400 + 800 + 800);
  });
});

describe('StunRequestTable', () => {
  it('matches a response once by transaction id and ignores strays', () => {
    const clock = new FakeClock(0);
    const table = new StunRequestTable<string>(clock);
    const id = newTransactionId(seededRandom(3));
    let sends = 0;
    const timeouts: string[] = [];
    table.send(id, 'ctx', () => sends++, (c) => timeouts.push(c));
    const response = decodeStun(encodeStun({ method: 1, cls: 'success', transactionId: id, attributes: [] }));
    const stray = decodeStun(encodeStun({ method: 1, cls: 'success', transactionId: newTransactionId(seededRandom(4)), attributes: [] }));
    const request = decodeStun(encodeStun({ method: 1, cls: 'request', transactionId: id, attributes: [] }));
    if (!response || !stray || !request) throw new Error('decode');
    expect(table.match(stray)).toBeUndefined();
    expect(table.match(request)).toBeUndefined();
    expect(table.peek(id)).toBe('ctx');
    expect(table.match(response)).toBe('ctx');
    expect(table.match(response)).toBeUndefined();
    clock.advance(60_000);
    expect(sends).toBe(1);
    expect(timeouts).toEqual([]);
  });

  it('reports a timeout with the request context', () => {
    const clock = new FakeClock(0);
    const table = new StunRequestTable<number>(clock);
    const timeouts: number[] = [];
    table.send(newTransactionId(seededRandom(5)), 42, () => {}, (c) => timeouts.push(c), { rto: 10, rc: 2, rm: 2 });
    clock.advance(29);
    expect(timeouts).toEqual([]);
    clock.advance(1);
    expect(timeouts).toEqual([42]);
    expect(table.size).toBe(0);
  });
});

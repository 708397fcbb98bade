// A few seconds of `npm run flood` (test/bench/flood-run.ts): mutated and malformed datagrams at 500/s
// from another address during a call, then 500 INVITE/s during a second call, then a third caller.
// Behaviour only (the figures belong to the bench): the listener stays up without internal errors,
// the calls connect and keep their tone, the flood's INVITEs are turned down, no RTP port runs out.
import { afterAll, describe, expect, it } from 'vitest';
import { describeReport } from '../support/audio-check';
import { stopAllSoftphones } from '../support/softphone-process';
import { formatFloodReport, runFlood, type FloodOptions } from '../bench/flood-run';

afterAll(async () => {
  await stopAllSoftphones();
});

describe('flood smoke', () => {
  it('a call keeps its audio through a datagram flood, and an INVITE flood neither exhausts ports nor keeps the next caller out', async () => {
    const options: FloodOptions = { datagrams: 1500, rate: 500, inviteRate: 500, inviteSeconds: 3, settleSeconds: 0, log: () => undefined };
    const r = await runFlood(options);
    const table = formatFloodReport(options, r);
    expect(r.listenerAlive, table).toBe(true);
    expect(r.errors, table).toEqual([]);
    // the flooder was answered (400s, 501s...) but not one by one: the rate limits dropped the excess
    expect(r.answers, table).toBeGreaterThan(0);
    expect(r.answers, table).toBeLessThan(r.sent);
    expect(r.call1.connected, table).toBe(true);
    if (!r.call1.heardByB || !r.call2?.heardByA || !r.call3?.heardByA) throw new Error(`missing recordings\n${table}`);
    expect(r.call1.heardByB.coverage, describeReport('B heard A during the datagram flood', r.call1.heardByB)).toBeGreaterThanOrEqual(0.9);
    expect(r.call2.connected, table).toBe(true);
    expect(r.call2.heardByA.coverage, describeReport('A2 heard B during the INVITE flood', r.call2.heardByA)).toBeGreaterThanOrEqual(0.9);
    // flood INVITEs reaching the phone while it is in a call are turned down (486), the rest rate limited
    expect(r.inviteAnswers['486'] ?? 0, table).toBeGreaterThan(0);
    expect((r.inviteAnswers['486'] ?? 0) + (r.inviteAnswers['100'] ?? 0), table).toBeLessThan(r.inviteSent);
    expect(r.noFreePortWarnings, table).toBe(0);
    expect(r.call3?.connected, table).toBe(true);
    expect(r.call3.heardByA.coverage, describeReport('A3 heard B after the INVITE flood', r.call3.heardByA)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});

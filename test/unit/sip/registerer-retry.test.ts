// Registration failures over time: Retry-After on 503 (RFC 3261 §20.33, §21.5.4), and never "registered"
// past the binding's expiry when refreshes go unanswered (§10.2.4).
import { beforeEach, describe, expect, it } from 'vitest';
import type { Registerer, RegistererOptions } from '../../../src-main/sip/registerer';
import type { RegistrationState } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, type SentRecord } from './fake-sip-network';
import { testRegisterer } from './registerer-fixture';

let clock: FakeClock;
let net: FakeTransport;
let states: RegistrationState[];

function makeRegisterer(extra: Partial<RegistererOptions> = {}): Registerer {
  return testRegisterer(net, clock, states, { aor: 'sip:alice@127.0.0.1', registrar: 'sip:127.0.0.1:5060', expires: 60, ...extra });
}

function ok(rec: SentRecord): void {
  net.answer(rec, 200, { toTag: 'reg', headers: { expires: '60' } });
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  states = [];
});

describe('Retry-After on a REGISTER failure', () => {
  it('503 with Retry-After: 2 shows it, retries after exactly 2 s (not the 30 s back-off), then registers', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 503, { headers: { 'retry-after': '2' } });
    expect(await done).toEqual({
      state: 'failed',
      reason: '503 Service Unavailable, retry after 2 s',
      status: 503,
      retryInSeconds: 2,
      retryAfterSeconds: 2,
    });
    await clock.advance(1999);
    expect(net.requests('REGISTER')).toHaveLength(1);
    await clock.advance(1);
    expect(net.requests('REGISTER')).toHaveLength(2);
    ok(net.last('REGISTER'));
    expect(r.state.state).toBe('registered');
    r.dispose();
  });

  it('503 without Retry-After backs off as before (30 s), and says so', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 503);
    expect(await done).toEqual({ state: 'failed', reason: '503 Service Unavailable', status: 503, retryInSeconds: 30 });
    await clock.advance(29_999);
    expect(net.requests('REGISTER')).toHaveLength(1);
    await clock.advance(1);
    expect(net.requests('REGISTER')).toHaveLength(2);
    r.dispose();
  });

  it('Retry-After: 0 still waits a second (no tight loop for a hostile server)', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 500, { headers: { 'retry-after': '0' } });
    expect((await done) as Extract<RegistrationState, { state: 'failed' }>).toMatchObject({ retryInSeconds: 1, retryAfterSeconds: 0 });
    await clock.advance(999);
    expect(net.requests('REGISTER')).toHaveLength(1);
    await clock.advance(1);
    expect(net.requests('REGISTER')).toHaveLength(2);
    r.dispose();
  });

  it('a 4xx with Retry-After is shown but not retried by itself', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 480, { headers: { 'retry-after': '60 (maintenance)' } });
    expect(await done).toEqual({
      state: 'failed',
      reason: '480 Temporarily Unavailable, retry after 60 s (maintenance)',
      status: 480,
      retryAfterSeconds: 60,
    });
    await clock.advance(600_000);
    expect(net.requests('REGISTER')).toHaveLength(1);
    r.dispose();
  });
});

describe('a binding that lapses while its refresh is unanswered', () => {
  it('turns "failed" at the expiry, not "registered" until the refresh times out; the timeout then retries', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    expect((await done).state).toBe('registered');
    // Refresh at 30 s (half of 60); the registrar answers only 100 Trying, then nothing.
    await clock.advance(30_000);
    const refresh = net.last('REGISTER');
    net.answer(refresh, 100);
    await clock.advance(29_999);
    expect(r.state.state).toBe('registered');
    await clock.advance(1);
    expect(r.state).toEqual({ state: 'failed', reason: 'registration expired: the refresh got no answer from 127.0.0.1:5060' });
    // Timer F of the refresh (32 s after it went out) ends the transaction: retry scheduled as usual.
    await clock.advance(2_000);
    net.timeout(refresh);
    expect(r.state).toEqual({ state: 'failed', reason: 'timeout: no answer from 127.0.0.1:5060', retryInSeconds: 30 });
    await clock.advance(30_000);
    expect(net.requests('REGISTER')).toHaveLength(3);
    ok(net.last('REGISTER'));
    expect(r.state.state).toBe('registered');
    r.dispose();
  });

  it('a refresh answered in time keeps it registered past the first expiry', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    await done;
    await clock.advance(30_000);
    await clock.advance(1_000);
    ok(net.last('REGISTER'));
    await clock.advance(40_000);
    expect(r.state.state).toBe('registered');
    expect(states.map((s) => s.state)).toEqual(['registering', 'registered', 'registered']);
    r.dispose();
  });

  it('the lapse counts from when the REGISTER went out, not from when the 200 came', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    const first = net.last('REGISTER');
    await clock.advance(10_000);
    ok(first);
    await done;
    // Refresh at 10 + 30 s, unanswered; the binding ends 60 s after the first REGISTER left.
    await clock.advance(49_999);
    expect(r.state.state).toBe('registered');
    await clock.advance(1);
    expect(r.state.state).toBe('failed');
    r.dispose();
  });

  it('dispose stops the lapse timer', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    await done;
    r.dispose();
    await clock.advance(120_000);
    expect(states.map((s) => s.state)).toEqual(['registering', 'registered']);
    expect(clock.pending).toBe(0);
  });
});

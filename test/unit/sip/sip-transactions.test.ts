// RFC 3261 §17 transaction timers of the patched `sip` package (A, B, D, E, F, G, H, I, J, K; RFC 6026
// L, M), timer by timer: its transaction layer over a recording connection, driven by a fake clock.
import { describe, expect, it } from 'vitest';
import * as sip from 'sip';
import { FakeClock, flush } from './fake-sip-network';

const T1 = 500;
const T2 = 4000;
const T4 = 5000;
const REMOTE: sip.Remote = { protocol: 'UDP', address: '192.0.2.1', port: 5060 };

interface Harness {
  clock: FakeClock;
  layer: sip.TransactionLayer;
  cn: sip.Connection;
  /** What went out, with ms since the start. */
  sent: Array<{ at: number; m: sip.Message }>;
  /** What the TU got, with ms since the start. */
  tu: Array<{ at: number; m: sip.Message }>;
  at(): number;
}

function harness(protocol = 'UDP', timers: sip.TimerOptions = {}): Harness {
  const clock = new FakeClock();
  const t0 = clock.now();
  const sent: Harness['sent'] = [];
  const cn: sip.Connection = {
    send: (m) => sent.push({ at: clock.now() - t0, m: structuredClone(m) }),
    protocol,
    release: () => {},
  };
  const layer = sip.makeTransactionLayer(
    { timers: { ...timers, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (id) => clock.clearTimeout(id) } },
    () => cn,
  );
  return { clock, layer, cn, sent, tu: [], at: () => clock.now() - t0 };
}

function request(method: string, extra: Record<string, unknown> = {}): sip.Message {
  return {
    method,
    uri: 'sip:bob@192.0.2.1',
    headers: {
      via: [{ params: {} }],
      from: { uri: 'sip:alice@192.0.2.9', params: { tag: 'a1' } },
      to: { uri: 'sip:bob@192.0.2.1', params: {} },
      'call-id': 'call-1',
      cseq: { seq: 1, method },
      ...extra,
    },
  };
}

/** Starts a client transaction for `rq` and lets its first tick run (the package starts on nextTick). */
async function startClient(h: Harness, rq: sip.Message): Promise<void> {
  h.layer.createClientTransaction(h.cn, rq, (m) => h.tu.push({ at: h.at(), m }));
  await flush();
}

/** A response from the wire to the client transaction of `rq`. */
function answer(h: Harness, rq: sip.Message, status: number): void {
  const rs = sip.makeResponse(rq, status, '', status > 100 ? { headers: { to: { ...(rq.headers.to as object), params: { tag: 'b1' } } } } : undefined);
  const t = h.layer.getClient(rs);
  if (!t) throw new Error(`no client transaction for ${status}`);
  t.message(rs, REMOTE);
}

const times = (h: Harness, method?: string): number[] => h.sent.filter((s) => method === undefined || s.m.method === method).map((s) => s.at);

describe('INVITE client transaction (RFC 3261 §17.1.1)', () => {
  it('Timer A doubles from T1 without a T2 cap; Timer B ends it with 408 at 64*T1', async () => {
    const h = harness();
    const rq = request('INVITE');
    await startClient(h, rq);
    await h.clock.advance(40_000);
    expect(times(h)).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(h.tu.map((x) => [x.at, x.m.status])).toEqual([[64 * T1, 408]]);
    expect(h.layer.getClient(sip.makeResponse(rq, 100))).toBeUndefined();
  });

  it('a 1xx stops Timer A and Timer B (Proceeding waits for the TU\'s CANCEL)', async () => {
    const h = harness();
    const rq = request('INVITE');
    await startClient(h, rq);
    await h.clock.advance(700);
    answer(h, rq, 180);
    await h.clock.advance(120_000);
    expect(times(h)).toEqual([0, 500]);
    expect(h.tu.map((x) => x.m.status)).toEqual([180]);
    answer(h, rq, 486);
    expect(h.tu.map((x) => x.m.status)).toEqual([180, 486]);
  });

  it('Timer D: a non-2xx is ACKed (with the INVITE\'s Route, §17.1.1.3), its retransmissions ACKed again until 64*T1', async () => {
    const h = harness();
    const route = [{ uri: 'sip:proxy.example.com;lr', params: {} }];
    const rq = request('INVITE', { route });
    await startClient(h, rq);
    answer(h, rq, 486);
    expect(h.sent.map((s) => s.m.method)).toEqual(['INVITE', 'ACK']);
    const ack = h.sent[1]!.m;
    expect(ack.headers.route).toEqual(route);
    expect((ack.headers.cseq as { method: string }).method).toBe('ACK');
    expect((ack.headers.to as { params: { tag?: string } }).params.tag).toBe('b1');
    await h.clock.advance(20_000);
    answer(h, rq, 486);
    expect(times(h, 'ACK')).toEqual([0, 20_000]);
    expect(h.tu.map((x) => x.m.status)).toEqual([486]);
    await h.clock.advance(64 * T1 - 20_000 - 1);
    expect(() => answer(h, rq, 486)).not.toThrow();
    await h.clock.advance(1);
    expect(() => answer(h, rq, 486)).toThrow(/no client transaction/);
    expect(times(h, 'INVITE')).toEqual([0]);
  });

  it('Timer D is 0 on a reliable transport', async () => {
    const h = harness('TCP');
    const rq = request('INVITE');
    await startClient(h, rq);
    await h.clock.advance(5000);
    expect(times(h, 'INVITE')).toEqual([0]);
    answer(h, rq, 603);
    await h.clock.advance(0);
    expect(() => answer(h, rq, 603)).toThrow(/no client transaction/);
  });

  it('Timer M (RFC 6026): retransmitted 2xx go to the TU for 64*T1', async () => {
    const h = harness();
    const rq = request('INVITE');
    await startClient(h, rq);
    answer(h, rq, 200);
    await h.clock.advance(10_000);
    answer(h, rq, 200);
    expect(h.tu.map((x) => [x.at, x.m.status])).toEqual([[0, 200], [10_000, 200]]);
    await h.clock.advance(64 * T1 - 10_000);
    expect(() => answer(h, rq, 200)).toThrow(/no client transaction/);
    expect(h.sent.map((s) => s.m.method)).toEqual(['INVITE']);
  });
});

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('Timer E doubles from T1 up to T2; Timer F ends it with 408 at 64*T1', async () => {
    const h = harness();
    const rq = request('REGISTER');
    await startClient(h, rq);
    await h.clock.advance(40_000);
    expect(times(h)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.tu.map((x) => [x.at, x.m.status])).toEqual([[64 * T1, 408]]);
  });

  it('after a 1xx, Timer E keeps retransmitting every T2 and Timer F still ends it with 408', async () => {
    const h = harness();
    const rq = request('REGISTER');
    await startClient(h, rq);
    await h.clock.advance(100);
    answer(h, rq, 100);
    await h.clock.advance(40_000);
    // The E due at T1 still fires; from then on every T2 (§17.1.2.2 Proceeding).
    expect(times(h)).toEqual([0, 500, 4500, 8500, 12500, 16500, 20500, 24500, 28500]);
    const t = times(h);
    expect(t.slice(2).map((x, i) => x - (t[i + 1] ?? 0))).toEqual(Array(7).fill(T2));
    expect(h.tu.map((x) => [x.at, x.m.status])).toEqual([[100, 100], [64 * T1, 408]]);
  });

  it('1xx, then the 200 is lost: the next retransmission gets it, no 408, Timer K absorbs repeats for T4', async () => {
    const h = harness();
    const rq = request('BYE');
    await startClient(h, rq);
    answer(h, rq, 100);
    await h.clock.advance(4600);
    expect(times(h)).toEqual([0, 500, 4500]);
    answer(h, rq, 200);
    await h.clock.advance(T4 - 1);
    answer(h, rq, 200);
    await h.clock.advance(1);
    expect(() => answer(h, rq, 200)).toThrow(/no client transaction/);
    await h.clock.advance(60_000);
    expect(times(h)).toEqual([0, 500, 4500]);
    expect(h.tu.map((x) => x.m.status)).toEqual([100, 200]);
  });

  it('Timer K is 0 on a reliable transport, and no Timer E there', async () => {
    const h = harness('TCP');
    const rq = request('OPTIONS');
    await startClient(h, rq);
    await h.clock.advance(10_000);
    expect(times(h)).toEqual([0]);
    answer(h, rq, 200);
    await h.clock.advance(0);
    expect(() => answer(h, rq, 200)).toThrow(/no client transaction/);
  });

  it('T1, T2 and T4 are settable: T1 = 50 ms gives Timer F at 3.2 s', async () => {
    const h = harness('UDP', { T1: 50, T2: 400, T4: 500 });
    const rq = request('REGISTER');
    await startClient(h, rq);
    answer(h, rq, 100);
    await h.clock.advance(5000);
    expect(times(h)).toEqual([0, 50, 450, 850, 1250, 1650, 2050, 2450, 2850]);
    expect(h.tu.map((x) => [x.at, x.m.status])).toEqual([[0, 100], [3200, 408]]);
  });

  it('a transaction shut down before its first tick sends nothing and starts no timer', async () => {
    const h = harness();
    const t = h.layer.createClientTransaction(h.cn, request('REGISTER'), () => {});
    t.shutdown();
    await h.clock.advance(60_000);
    expect(h.sent).toEqual([]);
    expect(h.clock.pending).toBe(0);
  });
});

/** A request from the wire, with its branch, and the server transaction it opened. */
function incoming(h: Harness, method: string): { rq: sip.Message; t: sip.Transaction } {
  const rq = request(method);
  (rq.headers.via as Array<{ params: Record<string, string> }>)[0]!.params.branch = 'z9hG4bK-server-1';
  return { rq, t: h.layer.createServerTransaction(rq, h.cn) };
}

function ackFor(rq: sip.Message): sip.Message {
  return { ...rq, method: 'ACK', headers: { ...rq.headers, cseq: { seq: 1, method: 'ACK' } } };
}

describe('INVITE server transaction (RFC 3261 §17.2.1)', () => {
  it('Timer G retransmits a non-2xx at T1, 2*T1, ... capped at T2 until Timer H (64*T1)', async () => {
    const h = harness();
    const { rq, t } = incoming(h, 'INVITE');
    t.send!(sip.makeResponse(rq, 486));
    await h.clock.advance(40_000);
    expect(times(h)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.layer.getServer(rq)).toBeUndefined();
  });

  it('a retransmitted INVITE gets the last provisional response again (Proceeding)', () => {
    const h = harness();
    const { rq, t } = incoming(h, 'INVITE');
    t.message(rq, REMOTE);
    expect(h.sent).toEqual([]);
    t.send!(sip.makeResponse(rq, 180));
    h.layer.getServer(rq)!.message(rq, REMOTE);
    expect(h.sent.map((s) => s.m.status)).toEqual([180, 180]);
  });

  it('the ACK stops Timer G; Timer I (T4) absorbs further ACKs, then the transaction is gone', async () => {
    const h = harness();
    const { rq, t } = incoming(h, 'INVITE');
    t.send!(sip.makeResponse(rq, 486));
    await h.clock.advance(2000);
    h.layer.getServer(ackFor(rq))!.message(ackFor(rq), REMOTE);
    await h.clock.advance(T4 - 1);
    h.layer.getServer(ackFor(rq))!.message(ackFor(rq), REMOTE);
    expect(times(h)).toEqual([0, 500, 1500]);
    await h.clock.advance(1);
    expect(h.layer.getServer(rq)).toBeUndefined();
  });

  it('Timer I is 0 and there is no Timer G on a reliable transport', async () => {
    const h = harness('TCP');
    const { rq, t } = incoming(h, 'INVITE');
    t.send!(sip.makeResponse(rq, 486));
    await h.clock.advance(3000);
    expect(times(h)).toEqual([0]);
    h.layer.getServer(ackFor(rq))!.message(ackFor(rq), REMOTE);
    await h.clock.advance(0);
    expect(h.layer.getServer(rq)).toBeUndefined();
  });

  it('Timer L (RFC 6026): a 2xx is not retransmitted by the transaction, which absorbs INVITEs for 64*T1', async () => {
    const h = harness();
    const { rq, t } = incoming(h, 'INVITE');
    expect(t.isAccepted!()).toBe(false);
    t.send!(sip.makeResponse(rq, 200));
    // An ACK matching this transaction is for the TU here (RFC 6026 §7.1), which the stack checks with isAccepted.
    expect(t.isAccepted!()).toBe(true);
    await h.clock.advance(10_000);
    h.layer.getServer(rq)!.message(rq, REMOTE);
    t.send!(sip.makeResponse(rq, 200));
    expect(times(h)).toEqual([0, 10_000]);
    await h.clock.advance(64 * T1 - 10_000);
    expect(h.layer.getServer(rq)).toBeUndefined();
  });
});

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('Timer J: the final response answers retransmitted requests for 64*T1', async () => {
    const h = harness();
    const { rq, t } = incoming(h, 'OPTIONS');
    t.message(rq, REMOTE);
    expect(h.sent).toEqual([]);
    t.send!(sip.makeResponse(rq, 200));
    await h.clock.advance(64 * T1 - 1);
    h.layer.getServer(rq)!.message(rq, REMOTE);
    expect(times(h)).toEqual([0, 64 * T1 - 1]);
    await h.clock.advance(1);
    expect(h.layer.getServer(rq)).toBeUndefined();
  });

  it('Timer J is 0 on a reliable transport', async () => {
    const h = harness('TCP');
    const { rq, t } = incoming(h, 'BYE');
    t.send!(sip.makeResponse(rq, 200));
    await h.clock.advance(0);
    expect(h.layer.getServer(rq)).toBeUndefined();
  });

  it('T2 below T1 is raised to T1 (the intervals never shrink)', async () => {
    const h = harness('UDP', { T1: 1000, T2: 10 });
    const { rq, t } = incoming(h, 'INVITE');
    t.send!(sip.makeResponse(rq, 500));
    await h.clock.advance(4500);
    expect(times(h)).toEqual([0, 1000, 2000, 3000, 4000]);
  });
});

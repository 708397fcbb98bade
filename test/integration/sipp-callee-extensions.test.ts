// Our phone calling SIPp as the callee over real UDP: session timers (RFC 4028: refresh by re-INVITE,
// BYE at expiry, 422 retry), PRACK for a reliable 183 (RFC 3262), and an outbound proxy (a UDP relay)
// that does not record-route still seeing the ACK and BYE (issue 10). And SIPp calling our phone:
// 422 below our Min-SE, Require: timer accepted, an UPDATE refresh answered.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import type { AccountSettings, Call, CallEndInfo, SipTraceEntry, UserAgent, UserAgentConfig } from '../../src-main/sip/user-agent-api';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { runSipp } from '../support/sipp';
import { startSippUas, type SippUas } from '../support/sipp-uas';
import { RecordingMedia } from '../unit/sip/fake-sip-network';

const noSipp = spawnSync('sipp', ['-v']).error ? 'sipp is not installed' : null;
const skip = skipWithoutRealPeer('SIPp callee scenarios', noSipp);

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function phone(extra: Partial<UserAgentConfig> = {}): Promise<{ ua: UserAgent; traces: SipTraceEntry[]; port: number }> {
  let n = 0;
  const ua = createUserAgent({ bindAddress: '127.0.0.1', port: 0, userAgentName: 'it-test', createMedia: () => new RecordingMedia(46000 + 2 * n++), ...extra });
  const traces: SipTraceEntry[] = [];
  ua.on('trace', (t) => traces.push(t));
  const { port } = await ua.start();
  cleanup.push(() => ua.shutdown());
  return { ua, traces, port };
}

async function sipp(scenario: string, keys: Record<string, string> = {}): Promise<SippUas> {
  const s = await startSippUas(scenario, keys);
  cleanup.push(() => s.kill());
  return s;
}

/** Resolves when `pred` holds for a trace entry (checked on each new one); rejects after `ms`. */
function traced(traces: SipTraceEntry[], ua: UserAgent, pred: (t: SipTraceEntry) => boolean, what: string, ms = 15000): Promise<SipTraceEntry> {
  const found = traces.find(pred);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`never traced: ${what}\n${traces.map((t) => `${t.direction} ${t.summary}`).join('\n')}`));
    }, ms);
    const off = ua.on('trace', (t) => {
      if (!pred(t)) return;
      clearTimeout(timer);
      off();
      resolve(t);
    });
  });
}

function state(call: Call, want: string, ms = 10000): Promise<void> {
  if (call.state === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`call stayed ${call.state}, wanted ${want}`)), ms);
    call.on('state', (s) => {
      if (s !== want) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

const header = (raw: string, name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(raw)?.[1]?.trim();
const cseqOf = (raw: string) => header(raw, 'CSeq');

describe.skipIf(skip)('SIPp as the callee', () => {
  it('RFC 4028: 200 with Require: timer, Session-Expires: 4;refresher=uac -> we refresh by re-INVITE at half the interval', async () => {
    const { ua, traces } = await phone({ sessionTimer: { minSeconds: 2 } });
    const s = await sipp('uas-session-timer-uac.xml', { se: '4' });
    const call = ua.call(`sip:service@127.0.0.1:${s.port}`);
    await state(call, 'connected');
    const invite = await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'INVITE', 'INVITE');
    expect(header(invite.raw, 'Supported')).toBe('100rel, timer');
    const connectedAt = (await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'ACK', 'ACK')).time;
    const refresh = await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'INVITE' && cseqOf(t.raw) === '2 INVITE', 'refresh re-INVITE');
    expect(header(refresh.raw, 'Session-Expires')).toBe('4;refresher=uac');
    expect(header(refresh.raw, 'Min-SE')).toBe('2');
    await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'ACK' && cseqOf(t.raw) === '2 ACK', 'ACK of the refresh');
    const after = refresh.time - connectedAt;
    console.log(`session refresh sent ${after} ms after the ACK (interval 4 s: due at 2000 ms)`);
    // §7.4: at half the interval, not before (the fake-clock unit test pins the exact moment).
    expect(after).toBeGreaterThanOrEqual(1950);
    expect(call.state).toBe('connected');
    await call.hangup();
    const r = await s.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('RFC 4028 §7.4: the 200 allows UPDATE -> we refresh by UPDATE without SDP at half the interval, no re-INVITE', async () => {
    const { ua, traces } = await phone({ sessionTimer: { minSeconds: 2 } });
    const s = await sipp('uas-session-timer-update.xml', { se: '4' });
    const call = ua.call(`sip:service@127.0.0.1:${s.port}`);
    await state(call, 'connected');
    // The timer starts when the 2xx arrives (our ACK may leave a little later on a busy machine).
    const connectedAt = (await traced(traces, ua, (t) => t.direction === 'in' && t.summary === '200 OK' && cseqOf(t.raw) === '1 INVITE', '200 to the INVITE')).time;
    const update = await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'UPDATE', 'refresh UPDATE');
    expect(cseqOf(update.raw)).toBe('2 UPDATE');
    expect(header(update.raw, 'Session-Expires')).toBe('4;refresher=uac');
    expect(header(update.raw, 'Content-Length')).toBe('0');
    const after = update.time - connectedAt;
    console.log(`session refresh by UPDATE sent ${after} ms after the 2xx (interval 4 s: due at 2000 ms)`);
    expect(after).toBeGreaterThanOrEqual(1950);
    await traced(traces, ua, (t) => t.direction === 'in' && t.summary === '200 OK' && cseqOf(t.raw) === '2 UPDATE', '200 to the UPDATE');
    expect(call.state).toBe('connected');
    await call.hangup();
    const r = await s.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    expect(traces.filter((t) => t.direction === 'out' && t.summary === 'INVITE')).toHaveLength(1);
  });

  it('RFC 4028 §10: refresher=uas and no refresh comes -> we send BYE before the session expires', async () => {
    const { ua } = await phone({ sessionTimer: { minSeconds: 2 } });
    const s = await sipp('uas-session-timer-uas.xml', { se: '3' });
    const call = ua.call(`sip:service@127.0.0.1:${s.port}`);
    const end = new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
    await state(call, 'connected');
    const info = await end;
    expect(info).toMatchObject({ reason: 'session expired: no session refresh (RFC 4028)', by: 'error' });
    console.log(`session ended by us after ${info.durationSeconds.toFixed(2)} s of a 3 s interval (due at 2.00 s)`);
    const r = await s.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('RFC 4028 §7.3: 422 with Min-SE: 3600 -> INVITE again with Session-Expires and Min-SE 3600, connected', async () => {
    const { ua, traces } = await phone();
    const s = await sipp('uas-422.xml');
    const call = ua.call(`sip:service@127.0.0.1:${s.port}`);
    await state(call, 'connected');
    const invites = traces.filter((t) => t.direction === 'out' && t.summary === 'INVITE');
    expect(invites.map((t) => [header(t.raw, 'Session-Expires'), header(t.raw, 'Min-SE'), cseqOf(t.raw)])).toEqual([
      ['1800', '90', '1 INVITE'],
      ['3600', '3600', '2 INVITE'],
    ]);
    await call.hangup();
    const r = await s.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('RFC 3262: reliable 183 (Require: 100rel, RSeq: 1) -> PRACK with RAck, its 200, then the 200 connects', async () => {
    const { ua, traces } = await phone();
    const s = await sipp('uas-100rel.xml');
    const call = ua.call(`sip:service@127.0.0.1:${s.port}`);
    await state(call, 'connected');
    const prack = await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'PRACK', 'PRACK');
    expect(header(prack.raw, 'RAck')).toBe('1 1 INVITE');
    expect(cseqOf(prack.raw)).toBe('2 PRACK');
    await call.hangup();
    const bye = await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'BYE', 'BYE');
    expect(cseqOf(bye.raw)).toBe('3 BYE');
    const r = await s.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('issue 10: an outbound proxy that does not record-route sees the ACK and the BYE too', async () => {
    const s = await sipp('uas-basic.xml');
    const relay = await startRelay({ address: '127.0.0.1', port: s.port });
    cleanup.push(() => relay.close());
    const account: AccountSettings = {
      accountName: 'it',
      userId: 'alice',
      domain: `127.0.0.1:${s.port}`,
      password: 'unused',
      displayName: '',
      authorizationName: '',
      registerWithDomain: false,
      sendOutboundVia: 'proxy',
      proxyAddress: `127.0.0.1:${relay.port}`,
      dialPlan: '',
      registerExpires: 300,
    };
    const { ua, traces } = await phone({ account });
    const call = ua.call('service');
    await state(call, 'connected');
    await traced(traces, ua, (t) => t.direction === 'out' && t.summary === 'ACK', 'ACK');
    await call.hangup();
    const r = await s.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    // (A retransmission may repeat a method; what counts is that none went around the proxy.)
    expect([...new Set(relay.requests)]).toEqual(['INVITE', 'ACK', 'BYE']);
    const out = traces.filter((t) => t.direction === 'out' && ['INVITE', 'ACK', 'BYE'].includes(t.summary));
    expect([...new Set(out.map((t) => t.summary))]).toEqual(['INVITE', 'ACK', 'BYE']);
    for (const t of out) {
      expect(t.remote).toBe(`127.0.0.1:${relay.port}`);
      expect(header(t.raw, 'Route')).toBe(`<sip:127.0.0.1:${relay.port};lr>`);
    }
  });
});

describe.skipIf(skip)('SIPp as the caller', () => {
  it('RFC 4028 §9: Session-Expires 60 gets 422 Min-SE 90; Require: timer is accepted (no 420); an UPDATE refresh gets 200', async () => {
    const { ua, traces, port } = await phone();
    const answered: Call[] = [];
    ua.on('incoming', (c) => {
      answered.push(c);
      void c.answer();
    });
    const r = await runSipp('uac-session-timer.xml', port);
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    const out = traces.filter((t) => t.direction === 'out');
    expect(out.some((t) => t.summary.startsWith('420'))).toBe(false);
    expect(header(out.find((t) => t.summary.startsWith('422'))?.raw ?? '', 'Min-SE')).toBe('90');
    const ok = out.filter((t) => t.summary === '200 OK');
    expect(ok.map((t) => [cseqOf(t.raw), header(t.raw, 'Session-Expires')])).toEqual(
      expect.arrayContaining([
        ['2 INVITE', '90;refresher=uac'],
        ['3 UPDATE', '90;refresher=uac'],
      ]),
    );
    expect(answered).toHaveLength(1);
  });

  it('RFC 3262 §3: Require: 100rel -> reliable 180 (RSeq, SDP answer) retransmitted until the PRACK; the 200 only after it', async () => {
    const { ua, traces, port } = await phone();
    ua.on('incoming', (c) => void c.answer());
    const r = await runSipp('uac-100rel.xml', port);
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    const out = traces.filter((t) => t.direction === 'out');
    const ringing = out.filter((t) => t.summary.startsWith('180'));
    expect(ringing.length).toBeGreaterThanOrEqual(1);
    const rseq = header(ringing[0]?.raw ?? '', 'RSeq');
    expect(rseq).toMatch(/^[1-9]\d{0,9}$/);
    expect(header(ringing[0]?.raw ?? '', 'Require')).toBe('100rel');
    const prack = traces.find((t) => t.direction === 'in' && t.summary.startsWith('PRACK'));
    expect(header(prack?.raw ?? '', 'RAck')).toBe(`${rseq} 1 INVITE`);
    const oks = out.filter((t) => t.summary === '200 OK').map((t) => cseqOf(t.raw));
    expect(oks.slice(0, 2)).toEqual(['2 PRACK', '1 INVITE']);
    expect(out.some((t) => t.summary.startsWith('420'))).toBe(false);
  });
});

/**
 * A UDP relay standing in for an outbound proxy that does not record-route: what the phone sends goes
 * to SIPp, what SIPp sends goes back to the phone. It records the methods of the requests it carried.
 */
function startRelay(callee: { address: string; port: number }): Promise<{ port: number; requests: string[]; close: () => void }> {
  const socket: Socket = createSocket('udp4');
  const requests: string[] = [];
  let caller: { address: string; port: number } | undefined;
  socket.on('message', (msg, from) => {
    const fromCallee = from.address === callee.address && from.port === callee.port;
    if (!fromCallee) {
      caller = { address: from.address, port: from.port };
      const first = msg.toString('latin1').split('\r\n', 1)[0] ?? '';
      if (!first.startsWith('SIP/2.0')) requests.push(first.split(' ', 1)[0] ?? '');
    }
    const to = fromCallee ? caller : callee;
    if (to) socket.send(msg, to.port, to.address);
  });
  return new Promise((resolve) => socket.bind(0, '127.0.0.1', () => resolve({ port: socket.address().port, requests, close: () => socket.close() })));
}

// Transfer against SIPp over real UDP (issue 11): SIPp as the transferee checks our REFER (Refer-To,
// Referred-By) and reports by NOTIFY sipfrag, after which we hang up; SIPp as the transferor REFERs us
// to a second SIPp, which gets our INVITE, while the transferor checks the NOTIFY bodies we send.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import type { Call, CallEndInfo, SipTraceEntry, TransferProgress, UserAgent, UserAgentConfig } from '../../src-main/sip/user-agent-api';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { runSipp } from '../support/sipp';
import { startSippUas, type SippUas } from '../support/sipp-uas';
import { RecordingMedia } from '../unit/sip/fake-sip-network';

const noSipp = spawnSync('sipp', ['-v']).error ? 'sipp is not installed' : null;
const skip = skipWithoutRealPeer('SIPp transfer scenarios', noSipp);

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function phone(extra: Partial<UserAgentConfig> = {}): Promise<{ ua: UserAgent; traces: SipTraceEntry[]; port: number }> {
  let n = 0;
  const ua = createUserAgent({ bindAddress: '127.0.0.1', port: 0, userAgentName: 'it-test', sipT1Ms: 100, createMedia: () => new RecordingMedia(47000 + 2 * n++), ...extra });
  const traces: SipTraceEntry[] = [];
  ua.on('trace', (t) => traces.push(t));
  const { port } = await ua.start();
  cleanup.push(() => ua.shutdown());
  return { ua, traces, port };
}

async function sipp(scenario: string): Promise<SippUas> {
  const s = await startSippUas(scenario);
  cleanup.push(() => s.kill());
  return s;
}

function until<T>(what: string, subscribe: (done: (v: T) => void) => () => void, ms = 15000): Promise<T> {
  return new Promise((resolve, reject) => {
    let off = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    off = subscribe((v) => {
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

const connected = (call: Call) => (call.state === 'connected' ? Promise.resolve() : until<void>('connected', (done) => call.on('state', (s) => s === 'connected' && done())));
const header = (raw: string, name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(raw)?.[1]?.trim();

describe.skipIf(skip)('transfer against SIPp', () => {
  it('blind, SIPp the transferee: REFER with Refer-To and Referred-By; NOTIFY 100 and 200 answered 200; then our BYE', async () => {
    const { ua, traces } = await phone();
    const s = await sipp('uas-refer-transferee.xml');
    const call = ua.call(`sip:bob@127.0.0.1:${s.port}`);
    await connected(call);
    const progress: TransferProgress[] = [];
    call.on('transfer', (p) => progress.push(p));
    const ended = until<CallEndInfo>('the end of the call', (done) => call.on('ended', done));
    expect(call.transfer('sip:carol@192.0.2.77:5070')).toEqual({ ok: true });
    const info = await ended;
    expect(info.by).toBe('local');
    const r = await s.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    expect(progress.map((p) => p.status)).toEqual(['requested', 'accepted', 'trying', 'succeeded']);
    const refer = traces.find((t) => t.direction === 'out' && t.summary === 'REFER');
    expect(header(refer?.raw ?? '', 'Refer-To')).toBe('<sip:carol@192.0.2.77:5070>');
    const notifyAnswers = traces.filter((t) => t.direction === 'out' && t.summary === '200 OK' && /^CSeq:\s*\d+ NOTIFY/im.test(t.raw));
    expect(notifyAnswers).toHaveLength(2);
    expect(traces.some((t) => t.direction === 'out' && t.summary === 'BYE')).toBe(true);
  });

  it('accepting, SIPp the transferor: 202, NOTIFY 100 then 200 (checked by SIPp), our INVITE with Referred-By reaches the target', async () => {
    const { ua, traces, port } = await phone({ acceptTransfer: true });
    const target = await sipp('uas-basic.xml');
    const placed = until<Call>('the transfer call', (done) => ua.on('transferCall', (e) => done(e.call)));
    ua.on('incoming', (c) => void c.answer());
    const transferor = runSipp('uac-refer-transferor.xml', port, ['-key', 'target', `sip:carol@127.0.0.1:${target.port}`]);
    const call = await placed;
    await connected(call);
    const r = await transferor;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    const invite = traces.find((t) => t.direction === 'out' && t.summary === 'INVITE' && t.remote.endsWith(`:${target.port}`));
    expect(invite?.raw).toMatch(new RegExp(`^INVITE sip:carol@127\\.0\\.0\\.1:${target.port} SIP/2\\.0`));
    expect(header(invite?.raw ?? '', 'Referred-By')).toMatch(/^<sip:alice@127\.0\.0\.1:\d+>$/);
    const notifies = traces.filter((t) => t.direction === 'out' && t.summary === 'NOTIFY');
    expect(notifies.map((n) => n.raw.split('\r\n\r\n')[1])).toEqual(['SIP/2.0 100 Trying\r\n', 'SIP/2.0 200 OK\r\n']);
    await call.hangup();
    const t = await target.done;
    expect(t.code, `${t.output}\n${t.errors}`).toBe(0);
  });
});

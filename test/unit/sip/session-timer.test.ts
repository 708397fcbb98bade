// Session timer negotiation and timing (RFC 4028), pure: headers in, decisions out, a fake clock.
import { describe, expect, it } from 'vitest';
import {
  answerSessionTimer,
  expiryDelayMs,
  minSeFrom422,
  parseMinSe,
  parseSessionExpires,
  refreshDelayMs,
  sessionFromAnswer,
  SessionTimer,
} from '../../../src-main/sip/session-timer';
import { optionTags, unsupportedRequired } from '../../../src-main/sip/sip-headers';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import { FakeClock } from './fake-sip-network';

function msg(headers: Record<string, string>): SipRequest {
  return {
    method: 'INVITE',
    uri: 'sip:a@192.0.2.1',
    headers: { via: [], to: { uri: 'sip:a@192.0.2.1', params: {} }, from: { uri: 'sip:b@192.0.2.2', params: { tag: 't' } }, 'call-id': 'c', cseq: { seq: 1, method: 'INVITE' }, ...headers },
  };
}

const cfg = { expiresSeconds: 1800, minSeconds: 90 };

describe('Session-Expires and Min-SE parsing (RFC 4028 §4, §5)', () => {
  it('reads delta-seconds and the refresher, in either case and the compact form x', () => {
    expect(parseSessionExpires(msg({ 'session-expires': '90;refresher=uac' }))).toEqual({ seconds: 90, refresher: 'uac' });
    expect(parseSessionExpires(msg({ 'session-expires': '1800 ; Refresher = UAS' }))).toEqual({ seconds: 1800, refresher: 'uas' });
    expect(parseSessionExpires(msg({ x: '120' }))).toEqual({ seconds: 120 });
    expect(parseMinSe(msg({ 'min-se': '90' }))).toBe(90);
  });
  it('treats garbage, zero, repeated headers and absurd values as absent', () => {
    for (const v of ['', 'abc', '0', '-5', '90,120', '1e3', '99999999999', '90;refresher=someone']) {
      const r = parseSessionExpires(msg({ 'session-expires': v }));
      if (v === '90;refresher=someone') expect(r).toEqual({ seconds: 90 });
      else expect(r).toBeUndefined();
    }
    expect(parseMinSe(msg({ 'min-se': 'ninety' }))).toBeUndefined();
    expect(parseSessionExpires(msg({}))).toBeUndefined();
  });
});

describe('as UAS (§9)', () => {
  it('no Session-Expires: no timer, unless the caller supports timer: then ours, refreshed by us (§9 "may request")', () => {
    expect(answerSessionTimer(msg({}), cfg)).toEqual({ kind: 'none' });
    expect(answerSessionTimer(msg({ supported: 'timer' }), cfg)).toEqual({
      kind: 'timer',
      negotiated: { interval: 1800, refresher: 'uas' },
      headers: { 'session-expires': '1800;refresher=uas', require: 'timer' },
    });
    // Never below the caller's Min-SE; a refresh in a running call inserts nothing; 0 = ours off.
    expect(answerSessionTimer(msg({ supported: 'timer', 'min-se': '3600' }), cfg)).toMatchObject({ negotiated: { interval: 3600 } });
    expect(answerSessionTimer(msg({ supported: 'timer' }), cfg, { mayInsert: false })).toEqual({ kind: 'none' });
    expect(answerSessionTimer(msg({ supported: 'timer' }), { expiresSeconds: 0, minSeconds: 90 })).toEqual({ kind: 'none' });
  });
  it('an interval above ours is reduced to ours (§9 MAY), not below the Min-SE; with ours off it is taken as asked', () => {
    expect(answerSessionTimer(msg({ 'session-expires': '7200;refresher=uac', supported: 'timer' }), { expiresSeconds: 600, minSeconds: 90 })).toMatchObject({
      negotiated: { interval: 600, refresher: 'uac' },
      headers: { 'session-expires': '600;refresher=uac' },
    });
    expect(answerSessionTimer(msg({ 'session-expires': '7200', 'min-se': '1000' }), { expiresSeconds: 600, minSeconds: 90 })).toMatchObject({ negotiated: { interval: 1000 } });
    expect(answerSessionTimer(msg({ 'session-expires': '7200' }), { expiresSeconds: 0, minSeconds: 90 })).toMatchObject({ negotiated: { interval: 7200 } });
  });
  it('below our minimum: 422 with our Min-SE', () => {
    expect(answerSessionTimer(msg({ 'session-expires': '60', supported: 'timer' }), cfg)).toEqual({ kind: 'too-small', minSe: 90 });
  });
  it('the caller supports timer and asks to refresh: refresher=uac and Require: timer', () => {
    expect(answerSessionTimer(msg({ 'session-expires': '90;refresher=uac', supported: '100rel, timer' }), cfg)).toEqual({
      kind: 'timer',
      negotiated: { interval: 90, refresher: 'uac' },
      headers: { 'session-expires': '90;refresher=uac', require: 'timer' },
    });
  });
  it('no refresher asked: we refresh; a caller without timer support cannot, so we do and Require is left out', () => {
    expect(answerSessionTimer(msg({ 'session-expires': '1800', supported: 'timer' }), cfg)).toMatchObject({
      negotiated: { interval: 1800, refresher: 'uas' },
      headers: { 'session-expires': '1800;refresher=uas', require: 'timer' },
    });
    expect(answerSessionTimer(msg({ 'session-expires': '1800;refresher=uac' }), cfg)).toEqual({
      kind: 'timer',
      negotiated: { interval: 1800, refresher: 'uas' },
      headers: { 'session-expires': '1800;refresher=uas' },
    });
  });
});

describe('as UAC (§7.2, §7.3)', () => {
  it('the 2xx decides; refresher defaults to uac; an interval below our Min-SE is raised to it', () => {
    expect(sessionFromAnswer(msg({ 'session-expires': '90;refresher=uas' }), 90)).toEqual({ interval: 90, refresher: 'uas' });
    expect(sessionFromAnswer(msg({ 'session-expires': '600' }), 90)).toEqual({ interval: 600, refresher: 'uac' });
    expect(sessionFromAnswer(msg({ 'session-expires': '1;refresher=uac' }), 90)).toEqual({ interval: 90, refresher: 'uac' });
    expect(sessionFromAnswer(msg({}), 90)).toBeUndefined();
  });
  it('422: retry only with a larger Min-SE than what we sent', () => {
    expect(minSeFrom422(msg({ 'min-se': '3600' }), 1800)).toBe(3600);
    expect(minSeFrom422(msg({ 'min-se': '1800' }), 1800)).toBeUndefined();
    expect(minSeFrom422(msg({}), 1800)).toBeUndefined();
  });
});

describe('timing', () => {
  it('refresh at half the interval, BYE at min(32 s, a third) before it ends (§7.4, §10)', () => {
    expect(refreshDelayMs(90)).toBe(45_000);
    expect(expiryDelayMs(90)).toBe(60_000);
    expect(expiryDelayMs(1800)).toBe(1_768_000);
  });
  it('the refresher refreshes at 45 s; a new start resets both timers; the other side expires at 60 s', async () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const t = new SessionTimer(clock, { refresh: () => log.push(`refresh@${clock.now()}`), expire: () => log.push(`expire@${clock.now()}`) });
    const t0 = clock.now();
    t.start({ interval: 90, refresher: 'uac' }, true);
    expect(t.current).toEqual({ interval: 90, refresher: 'uac', ours: true });
    await clock.advance(45_000);
    expect(log).toEqual([`refresh@${t0 + 45_000}`]);
    t.start({ interval: 90, refresher: 'uac' }, true);
    await clock.advance(44_999);
    expect(log).toHaveLength(1);
    t.start({ interval: 90, refresher: 'uac' }, false);
    expect(t.current?.ours).toBe(false);
    await clock.advance(60_000);
    expect(log.slice(1)).toEqual([`expire@${t0 + 45_000 + 44_999 + 60_000}`]);
    expect(t.current).toBeUndefined();
    expect(clock.pending).toBe(0);
  });
});

describe('option tags (RFC 3261 §8.2.2.3)', () => {
  it('timer and 100rel may be required of us; unknown tags are unsupported', () => {
    expect(optionTags(' 100rel ,Timer,')).toEqual(['100rel', 'timer']);
    expect(unsupportedRequired(msg({ require: 'timer' }))).toEqual([]);
    expect(unsupportedRequired(msg({ require: 'timer, 100rel, foo' }))).toEqual(['foo']);
    expect(unsupportedRequired(msg({}))).toEqual([]);
  });
});

// The CLI's pure helpers for saying what is wrong: number ranges, near-miss flags, SIP URIs, sound-card
// warnings, native library noise, and the progress of an unanswered REGISTER/INVITE.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closestMatch, editDistance, secondsBetween, wholeNumber } from '../../../src-main/cli/flag-checks';
import { callTargetProblem } from '../../../src-main/cli/call-target';
import { NO_MICROPHONE, NO_SOUND_CARD, NO_SPEAKER, soundCardWarning } from '../../../src-main/cli/sound-card-report';
import { isNativeNoise } from '../../../src-main/cli/native-noise';
import { NoAnswerProgress } from '../../../src-main/cli/no-answer-progress';
import type { CliEvent } from '../../../src-main/cli/cli-events';
import type { AudioDeviceInfo } from '../../../src-main/audio/audio-config';
import { FakeUserAgent } from './fake-user-agent';

describe('number checks', () => {
  const port = wholeNumber('--port', 1, 65535);
  it.each([
    ['5060', { ok: true, value: 5060 }],
    ['-1', { ok: false, message: '--port must be between 1 and 65535, got -1' }],
    ['0', { ok: false, message: '--port must be between 1 and 65535, got 0' }],
    ['65536', { ok: false, message: '--port must be between 1 and 65535, got 65536' }],
    ['5.5', { ok: false, message: '--port must be a whole number between 1 and 65535, got 5.5' }],
    ['0x10', { ok: false, message: '--port must be a whole number between 1 and 65535, got "0x10"' }],
    [' 5', { ok: false, message: '--port must be a whole number between 1 and 65535, got " 5"' }],
  ])('--port %j', (raw, result) => {
    expect(port(raw)).toEqual(result);
  });

  it('seconds take decimals and name the range', () => {
    const duration = secondsBetween('--duration', 0.1, 86400);
    expect(duration('2.5')).toEqual({ ok: true, value: 2.5 });
    expect(duration('-5')).toEqual({ ok: false, message: '--duration must be between 0.1 and 86400 seconds, got -5' });
    expect(duration('1e3')).toEqual({ ok: false, message: '--duration must be a number of seconds, got "1e3"' });
  });
});

describe('did you mean', () => {
  const flags = ['port', 'play', 'proxy', 'duration', 'domain', 'rtp-ports', 'auto-answer'];
  it('counts edits, a swap as one', () => {
    expect(editDistance('port', 'port')).toBe(0);
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('pot', 'port')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it.each([
    ['prot', 'port'],
    ['durtion', 'duration'],
    ['rtp-port', 'rtp-ports'],
    ['autoanswer', 'auto-answer'],
    ['dom', 'domain'],
    ['x', undefined],
    ['banana', undefined],
  ])('%s -> %s', (typed, near) => {
    expect(closestMatch(typed, flags)).toBe(near);
  });
});

describe('callTargetProblem', () => {
  it.each([
    ['sip:bob@@127.0.0.1', 'invalid SIP URI "sip:bob@@127.0.0.1": two @'],
    ['bob@', 'invalid SIP URI "bob@": no host after @'],
    ['sip:', 'invalid SIP URI "sip:": nothing after "sip:"'],
    ['sip:@host', 'invalid SIP URI "sip:@host": no user before @'],
    ['sip:bob@host:0', 'invalid SIP URI "sip:bob@host:0": port 0 is not between 1 and 65535'],
    ['sip:bob@host:', 'invalid SIP URI "sip:bob@host:": no port number after ":"'],
    ['sip:bob@ho_st', 'invalid SIP URI "sip:bob@ho_st": "ho_st" is not a host name or IP address'],
    ['bob', 'without --user, call needs a SIP URI such as sip:someone@192.168.1.20 (got "bob")'],
  ])('%s without an account: %s', (target, problem) => {
    expect(callTargetProblem(target, undefined)).toBe(problem);
  });

  it.each(['sip:bob@127.0.0.1', 'sip:bob@127.0.0.1:5062;transport=udp', 'bob@[::1]:5060', 'sip:192.168.1.20', 'sips:alice@example.com'])(
    'accepts %s',
    (target) => expect(callTargetProblem(target, undefined)).toBeNull(),
  );

  it('accepts a user or number when there is a domain', () => {
    expect(callTargetProblem('bob', 'pbx.example')).toBeNull();
    expect(callTargetProblem('+49 30 1234', 'pbx.example')).toBeNull();
  });
});

describe('soundCardWarning', () => {
  const dev = (input: number, output: number): AudioDeviceInfo => ({ id: 0, name: 'd', hostApi: 'ALSA', maxInputChannels: input, maxOutputChannels: output, defaultSampleRate: 48000 });
  it('names what is missing', () => {
    expect(NO_SOUND_CARD).toBe('no sound card: sending silence, discarding received audio; use --play/--record');
    expect(soundCardWarning([])).toBe(NO_SOUND_CARD);
    expect(soundCardWarning(new Error('PortAudio is not available'))).toBe(NO_SOUND_CARD);
    expect(soundCardWarning([dev(0, 2)])).toBe(NO_MICROPHONE);
    expect(soundCardWarning([dev(1, 0)])).toBe(NO_SPEAKER);
    expect(soundCardWarning([dev(1, 0), dev(0, 2)])).toBeNull();
  });
});

describe('isNativeNoise', () => {
  it.each([
    'ALSA lib confmisc.c:855:(parse_card) cannot find card \'0\'',
    'ALSA lib pcm.c:2664:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.rear',
    'JackShmReadWritePtr::~JackShmReadWritePtr - Init not done for -1, skipping unlock',
    'jack server is not running or cannot be started',
    'Cannot connect to server socket err = No such file or directory',
    'Cannot connect to server request channel',
    "Expression 'ret' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 1736",
    '',
  ])('drops %j', (line) => expect(isNativeNoise(line)).toBe(true));

  it.each([
    '2026-12-02T18:15:50.210Z INFO [sip:stack] SIP listening {"address":"127.0.0.1","port":46199}',
    'node:internal/process/promises:289',
    '    at Object.<anonymous> (/x/dist/cli.js:1:1)',
    'Error: something broke',
  ])('keeps %j', (line) => expect(isNativeNoise(line)).toBe(false));
});

describe('NoAnswerProgress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const trace = (ua: FakeUserAgent, direction: 'in' | 'out', callId: string, summary: string, remote = '127.0.0.1:5099') =>
    ua.events.emit('trace', { direction, time: Date.now(), remote, callId, summary, raw: '' });

  it('reports every 5 s while the INVITE has no answer, naming where it went', async () => {
    const ua = new FakeUserAgent();
    const events: CliEvent[] = [];
    const p = new NoAnswerProgress(ua, (e) => events.push(e), 'INVITE', 'fallback');
    trace(ua, 'out', 'c1', 'INVITE'); // before the call id is known: the INVITE leaves inside ua.call()
    p.watchCall('c1');
    await vi.advanceTimersByTimeAsync(4999);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(events).toEqual([{ event: 'progress', message: 'no answer from 127.0.0.1:5099 yet (5 s)', seconds: 5 }]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(events.at(-1)).toEqual({ event: 'progress', message: 'no answer from 127.0.0.1:5099 yet (10 s)', seconds: 10 });
    trace(ua, 'in', 'other-call', '100 Trying');
    await vi.advanceTimersByTimeAsync(5000);
    expect(events.at(-1)?.event === 'progress' && events.at(-1)).toMatchObject({ message: 'no answer from 127.0.0.1:5099 yet (15 s)' });
    trace(ua, 'in', 'c1', '100 Trying');
    await vi.advanceTimersByTimeAsync(5000);
    expect(events.at(-1)).toEqual({ event: 'progress', message: '127.0.0.1:5099 answered 100 Trying; not ringing yet (20 s)', seconds: 20 });
    p.stop();
    await vi.advanceTimersByTimeAsync(20000);
    expect(events).toHaveLength(4);
  });

  it('reports an unanswered REGISTER as the registrar, and nothing once it answered', async () => {
    const ua = new FakeUserAgent();
    const events: CliEvent[] = [];
    const p = new NoAnswerProgress(ua, (e) => events.push(e), 'REGISTER', 'pbx.example');
    await vi.advanceTimersByTimeAsync(5000);
    expect(events).toEqual([{ event: 'progress', message: 'no answer from the registrar pbx.example yet (5 s)', seconds: 5 }]);
    trace(ua, 'out', 'r1', 'REGISTER', '192.0.2.7:5060');
    await vi.advanceTimersByTimeAsync(5000);
    expect(events.at(-1)).toMatchObject({ message: 'no answer from the registrar 192.0.2.7:5060 yet (10 s)' });
    trace(ua, 'in', 'r1', '401 Unauthorized', '192.0.2.7:5060');
    await vi.advanceTimersByTimeAsync(5000);
    expect(events).toHaveLength(2);
    p.stop();
  });
});

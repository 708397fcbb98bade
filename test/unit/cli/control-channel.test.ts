// The CLI control channel's answers line by line: the WebSocket envelope, the contract's validation, and
// the in-call handlers shared with the desktop app, over a call double.
import { describe, expect, it } from 'vitest';
import { CallTracker } from '../../../src-main/app-core/call-tracker';
import { createCallRequestHandlers } from '../../../src-main/app-core/call-requests';
import { handleControlLine, isResultLine, MAX_CONTROL_LINE, tooLongResult } from '../../../src-main/cli/control-channel';
import { FakeCall, FakeUserAgent } from './fake-user-agent';
import { messageSendHandler } from '../../../src-main/app-core/message-requests';

function setup() {
  const tracker = new CallTracker({ now: () => 1000, changed: () => {}, ended: () => {}, setTimer: () => 0 });
  const ua = new FakeUserAgent();
  const handlers = { ...createCallRequestHandlers({ tracker, answer: (call) => call.answer() }), 'message.send': messageSendHandler(() => ua) };
  const send = async (line: string) => JSON.parse((await handleControlLine(line, handlers)) ?? 'null') as { id: unknown; result: Record<string, unknown> };
  return { tracker, send, ua };
}

describe('control channel', () => {
  it('answers a ringing call, sends DTMF, mutes and hangs up by id, each result echoing the request id', async () => {
    const { tracker, send } = setup();
    const call = new FakeCall('c1', 'incoming', 'sip:alice@example.com');
    tracker.track(call);
    expect(await send('{"id":1,"channel":"call.answer","payload":{"callId":"c1"}}')).toEqual({ id: 1, result: { ok: true, value: expect.objectContaining({ id: 'c1', state: 'connected' }) } });
    expect(call.answered).toBe(1);
    expect(await send('{"id":"two","channel":"call.dtmf","payload":{"callId":"c1","digits":"12#"}}')).toEqual({ id: 'two', result: { ok: true, value: null } });
    expect(call.dtmf).toEqual(['12#']);
    expect((await send('{"id":3,"channel":"call.mute","payload":{"callId":"c1","muted":true}}')).result).toMatchObject({ ok: true, value: { muted: true } });
    expect((await send('{"id":4,"channel":"call.hangup","payload":{"callId":"c1"}}')).result).toMatchObject({ ok: true, value: { state: 'ended', end: { by: 'local' } } });
    expect(call.hangups).toBe(1);
    // Ended calls stay answerable: the final snapshot again, no second hang-up.
    expect((await send('{"id":5,"channel":"call.hangup","payload":{"callId":"c1"}}')).result).toMatchObject({ ok: true, value: { state: 'ended' } });
    expect(call.hangups).toBe(1);
    expect((await send('{"id":6,"channel":"call.mute","payload":{"callId":"c1","muted":false}}')).result).toMatchObject({ ok: false, error: { code: 'failed', message: 'the call has already ended' } });
  });

  it('call.transfer: blind to a target, attended to the other call (replacesCallId); call.conference joins two calls', async () => {
    const { tracker, send } = setup();
    const a = new FakeCall('a', 'incoming', 'sip:bob@example.com');
    const b = new FakeCall('b', 'incoming', 'sip:carol@example.com');
    tracker.track(a);
    tracker.track(b);
    expect((await send('{"id":1,"channel":"call.transfer","payload":{"callId":"a","target":"carol"}}')).result).toMatchObject({ ok: false, error: { code: 'failed', message: 'only a connected call can be transferred' } });
    await send('{"id":2,"channel":"call.answer","payload":{"callId":"a"}}');
    await send('{"id":3,"channel":"call.answer","payload":{"callId":"b"}}');
    expect((await send('{"id":4,"channel":"call.transfer","payload":{"callId":"a","target":"carol"}}')).result).toMatchObject({ ok: true, value: { id: 'a' } });
    expect((await send('{"id":5,"channel":"call.transfer","payload":{"callId":"a","replacesCallId":"b"}}')).result).toMatchObject({ ok: true });
    expect(a.transfers).toEqual([{ target: 'carol' }, { target: '', replaces: b }]);
    expect((await send('{"id":6,"channel":"call.transfer","payload":{"callId":"a","replacesCallId":"a"}}')).result).toMatchObject({ ok: false, error: { message: 'a call cannot be transferred to itself' } });
    expect((await send('{"id":7,"channel":"call.transfer","payload":{"callId":"a","target":"x","replacesCallId":"b"}}')).result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect((await send('{"id":8,"channel":"call.conference","payload":{"callIds":["a","b"]}}')).result).toMatchObject({ ok: true, value: [{ id: 'a' }, { id: 'b' }] });
    expect(a.mixedWith).toBe(b);
    expect((await send('{"id":9,"channel":"call.conference","payload":{"callIds":["a"]}}')).result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect((await send('{"id":10,"channel":"call.conference","payload":{"callIds":["a","zz"]}}')).result).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('sends an instant message through the user agent; an empty text is refused by the contract', async () => {
    const { send, ua } = setup();
    expect(await send('{"id":7,"channel":"message.send","payload":{"to":"bob","text":"안녕 bob"}}')).toEqual({ id: 7, result: { ok: true, value: { status: 200 } } });
    expect(ua.sent).toEqual([{ target: 'bob', text: '안녕 bob' }]);
    expect((await send('{"id":8,"channel":"message.send","payload":{"to":"bob","text":""}}')).result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(ua.sent).toHaveLength(1);
  });

  it('refuses what the contract refuses, with the WebSocket server\'s codes', async () => {
    const { send } = setup();
    expect(await send('nonsense')).toEqual({ id: null, result: { ok: false, error: { code: 'invalid-request', message: 'not JSON' } } });
    expect((await send('[1,2]')).result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect((await send('{"channel":"call.hangup","payload":{}}')).result).toMatchObject({ ok: false, error: { message: expect.stringContaining('needs an id') } });
    expect((await send('{"id":1,"channel":"call.explode","payload":{}}')).result).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    expect((await send('{"id":2,"channel":"account.save","payload":{}}')).result).toMatchObject({ ok: false, error: { code: expect.stringMatching(/invalid-request|unknown-channel/) } });
    expect((await send('{"id":3,"channel":"history.list","payload":{}}')).result).toEqual({ ok: false, error: { code: 'unknown-channel', message: 'history.list is served by the desktop app, not the CLI' } });
    expect((await send('{"id":4,"channel":"call.dtmf","payload":{"callId":"c","digits":"x"}}')).result).toMatchObject({ ok: false, error: { code: 'invalid-request', fields: { digits: 'DTMF digits are 0-9 * # A-D' } } });
    expect((await send('{"id":5,"channel":"call.answer","payload":{"callId":"gone"}}')).result).toEqual({ ok: false, error: { code: 'not-found', message: 'no call gone' } });
  });

  it('ignores blank lines, refuses over-long ones unread, and marks its own lines for the output filter', async () => {
    const { tracker } = setup();
    const handlers = { ...createCallRequestHandlers({ tracker, answer: async () => {} }), 'message.send': messageSendHandler(() => new FakeUserAgent()) };
    expect(await handleControlLine('   ', handlers)).toBeNull();
    expect(await handleControlLine(`{"id":1,"channel":"call.hangup","payload":{"callId":"${'x'.repeat(MAX_CONTROL_LINE)}"}}`, handlers)).toBe(tooLongResult());
    expect(JSON.parse(tooLongResult())).toMatchObject({ id: null, result: { ok: false, error: { code: 'invalid-request' } } });
    expect(isResultLine(tooLongResult())).toBe(true);
    expect(isResultLine('{"event":"connected","time":"t"}')).toBe(false);
    expect(isResultLine('ALSA lib pcm.c: noise')).toBe(false);
  });
});

// The WebSocket wire format: strict parsing of client messages, encoding of answers and events.
import { describe, expect, it } from 'vitest';
import { encodeEvent, encodeResult, parseClientMessage } from '../../../src-main/web/ws-protocol';

describe('ws protocol', () => {
  it('parses {id, channel, payload}', () => {
    expect(parseClientMessage('{"id":3,"channel":"call.dial","payload":{"target":"bob"}}')).toEqual({ ok: true, id: 3, channel: 'call.dial', payload: { target: 'bob' } });
  });

  it('answers broken messages with invalid-request and the id when there is one', () => {
    expect(parseClientMessage('nope')).toEqual({ ok: false, id: null, error: { code: 'invalid-request', message: 'not JSON' } });
    expect(parseClientMessage('[1]')).toMatchObject({ ok: false, id: null });
    expect(parseClientMessage('{"id":1.5,"channel":"x"}')).toMatchObject({ ok: false, id: null });
    expect(parseClientMessage('{"id":7,"channel":5}')).toEqual({ ok: false, id: 7, error: { code: 'invalid-request', message: 'a request needs a channel' } });
  });

  it('encodes answers and events', () => {
    expect(JSON.parse(encodeResult(4, { ok: true, value: null }))).toEqual({ id: 4, result: { ok: true, value: null } });
    expect(JSON.parse(encodeEvent('dial.prefill', { target: '123' }))).toEqual({ event: 'dial.prefill', payload: { target: '123' } });
  });
});

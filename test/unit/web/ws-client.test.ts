// The renderer's WebSocket client over a fake socket: token in the URL, requests queued until open and
// matched by id, events dispatched, a lost connection failing pending requests and telling the UI.
import { describe, expect, it } from 'vitest';
import { createWsClient, type WebSocketLike } from '../../../src-renderer/lib/ws-client';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: Array<{ id: number; channel: string; payload: unknown }> = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
}

function client(timeoutMs = 60_000) {
  let socket: FakeSocket | null = null;
  const api = createWsClient('ws://127.0.0.1:4000/ws', 'tok123', {
    requestTimeoutMs: timeoutMs,
    createSocket: (url) => (socket = new FakeSocket(url)),
  });
  if (!socket) throw new Error('no socket');
  return { api, socket: socket as FakeSocket };
}

describe('ws client', () => {
  it('puts the token in the URL, queues requests until open and matches answers by id', async () => {
    const { api, socket } = client();
    expect(socket.url).toBe('ws://127.0.0.1:4000/ws?token=tok123');
    const first = api.request('app.snapshot', {});
    const second = api.request('call.dial', { target: 'sip:bob@example.com' });
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toEqual([
      { id: 1, channel: 'app.snapshot', payload: {} },
      { id: 2, channel: 'call.dial', payload: { target: 'sip:bob@example.com' } },
    ]);
    socket.receive({ id: 2, result: { ok: false, error: { code: 'failed', message: 'busy' } } });
    socket.receive({ id: 1, result: { ok: true, value: { version: '1' } } });
    socket.receive('garbage');
    socket.receive({ id: 99, result: { ok: true, value: 1 } });
    expect(await first).toEqual({ ok: true, value: { version: '1' } });
    expect(await second).toEqual({ ok: false, error: { code: 'failed', message: 'busy' } });
  });

  it('dispatches events to subscribers until they unsubscribe', () => {
    const { api, socket } = client();
    socket.open();
    const got: unknown[] = [];
    const off = api.on('registration.changed', (s) => got.push(s));
    socket.receive({ event: 'registration.changed', payload: { state: 'registered', expires: 60, contact: 'sip:a@b' } });
    off();
    socket.receive({ event: 'registration.changed', payload: { state: 'unregistered' } });
    expect(got).toEqual([{ state: 'registered', expires: 60, contact: 'sip:a@b' }]);
  });

  it('fails pending and later requests when the connection is lost, and reports it once', async () => {
    const { api, socket } = client();
    socket.open();
    const problems: string[] = [];
    api.on('app.problem', (p) => problems.push(p.message));
    const pending = api.request('history.list', {});
    socket.onclose?.({});
    socket.onclose?.({});
    expect(await pending).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringContaining('connection to the softphone core was closed') } });
    expect(await api.request('app.snapshot', {})).toMatchObject({ ok: false, error: { code: 'failed' } });
    expect(problems).toHaveLength(1);
  });

  it('gives up on a request with no answer', async () => {
    const { api, socket } = client(30);
    socket.open();
    expect(await api.request('registration.register', {})).toEqual({ ok: false, error: { code: 'failed', message: 'no answer to registration.register within 0 s' } });
  });
});

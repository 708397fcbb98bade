// The preload's API over a fake ipcRenderer: only contract channels go out, events come back without
// Electron's event object, unsubscribe works, a listener's exception stays contained.
import { describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../../src-main/ipc/channel-names';
import { createPreloadApi } from '../../../src-main/ipc/preload/preload-api';

function fakeIpc() {
  const invoked: Array<{ channel: string; message: unknown }> = [];
  let eventListener: ((event: unknown, message: unknown) => void) | null = null;
  return {
    invoked,
    push: (message: unknown) => eventListener?.({ sender: 'secret electron object' }, message),
    ipc: {
      invoke: async (channel: string, message: unknown) => {
        invoked.push({ channel, message });
        if ((message as { channel: string }).channel === 'history.clear') throw new Error('main process gone');
        return { ok: true, value: 'answer' };
      },
      on: (channel: string, listener: (event: unknown, message: unknown) => void) => {
        if (channel === IPC_EVENT_CHANNEL) eventListener = listener;
      },
    },
  };
}

describe('preload api', () => {
  it('sends contract channels on the one invoke channel and refuses others without sending', async () => {
    const f = fakeIpc();
    const api = createPreloadApi(f.ipc);
    expect(await api.request('app.snapshot', {})).toEqual({ ok: true, value: 'answer' });
    expect(f.invoked).toEqual([{ channel: IPC_REQUEST_CHANNEL, message: { channel: 'app.snapshot', payload: {} } }]);
    const refused = await api.request('fs.readFile' as 'app.snapshot', {});
    expect(refused).toEqual({ ok: false, error: { code: 'unknown-channel', message: 'unknown channel: fs.readFile' } });
    expect(f.invoked).toHaveLength(1);
    expect(await api.request('history.clear', {})).toEqual({ ok: false, error: { code: 'failed', message: 'main process gone' } });
  });

  it('delivers only contract events, payload only, and unsubscribes', () => {
    const f = fakeIpc();
    const api = createPreloadApi(f.ipc);
    const got: unknown[] = [];
    api.on('call.changed', () => {
      throw new Error('renderer bug');
    });
    const off = api.on('call.changed', (payload) => got.push(payload));
    f.push({ event: 'call.changed', payload: { id: 'c1', state: 'connected' } });
    f.push({ event: 'not.an.event', payload: 1 });
    f.push('junk');
    expect(got).toEqual([{ id: 'c1', state: 'connected' }]);
    off();
    f.push({ event: 'call.changed', payload: { id: 'c2' } });
    expect(got).toHaveLength(1);
    expect(api.on('bogus' as 'call.changed', () => {})).toBeTypeOf('function');
  });
});

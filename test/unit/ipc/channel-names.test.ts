// The run-time allow-lists match the contract exactly (the preload and web server allow nothing else).
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, isEventChannel, isRequestChannel, REQUEST_CHANNELS } from '../../../src-main/ipc/channel-names';
import { requestSchemas } from '../../../src-main/ipc/contract';

describe('channel names', () => {
  it('lists exactly the contract request channels', () => {
    expect([...REQUEST_CHANNELS].sort()).toEqual(Object.keys(requestSchemas).sort());
    expect(EVENT_CHANNELS).toContain('call.changed');
    expect(EVENT_CHANNELS).toContain('network.changed');
    expect(EVENT_CHANNELS).toContain('message.received');
    expect(EVENT_CHANNELS).toContain('call.transfer');
    expect(REQUEST_CHANNELS).toEqual(expect.arrayContaining(['call.hold', 'call.transfer', 'call.conference', 'message.send']));
    expect(REQUEST_CHANNELS).toContain('network.check');
    expect(EVENT_CHANNELS).toContain('messages.changed');
    // Issue 11: the other side's transfer request, answered by call.transferReply; the ringtone preview.
    expect(EVENT_CHANNELS).toContain('call.transferRequest');
    expect(REQUEST_CHANNELS).toEqual(expect.arrayContaining(['call.transferReply', 'audio.ringtonePreview']));
    expect(EVENT_CHANNELS).toHaveLength(17);
  });

  it('rejects anything else, including inherited property names', () => {
    expect(isRequestChannel('call.dial')).toBe(true);
    expect(isRequestChannel('constructor')).toBe(false);
    expect(isRequestChannel('__proto__')).toBe(false);
    expect(isRequestChannel('call.dial ')).toBe(false);
    expect(isRequestChannel(42)).toBe(false);
    expect(isEventChannel('audio.level')).toBe(true);
    expect(isEventChannel('toString')).toBe(false);
  });
});

describe('issue 11 channels are validated like every other', () => {
  it('call.transferReply takes a request id and a boolean, nothing else', async () => {
    const { validateRequest } = await import('../../../src-main/ipc/contract');
    expect(validateRequest('call.transferReply', { requestId: 'tr1', accept: false })).toMatchObject({ ok: true, payload: { requestId: 'tr1', accept: false } });
    expect(validateRequest('call.transferReply', { requestId: 'tr1', accept: 'yes' }).ok).toBe(false);
    expect(validateRequest('call.transferReply', { requestId: '', accept: true }).ok).toBe(false);
    expect(validateRequest('call.transferReply', { requestId: 'tr1', accept: true, callId: 'x' }).ok).toBe(false);
    expect(validateRequest('audio.ringtonePreview', { ringtone: 'chime' }).ok).toBe(true);
    expect(validateRequest('audio.ringtonePreview', { ringtone: 'disco' }).ok).toBe(false);
    expect(validateRequest('preferences.save', {}).ok).toBe(false);
  });
});

// Decoder selection for received RTP: every audio format of the answer, the telephone-event type never.
import { describe, expect, it } from 'vitest';
import { receiveDecoders } from '../../../src-main/rtp/receive-codecs';

describe('receiveDecoders', () => {
  it('maps the send format and every answered format, dynamic payload types included', () => {
    const d = receiveDecoders({
      codec: 'PCMU',
      payloadType: 0,
      receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }, { payloadType: 96, codec: 'PCMA' }],
    });
    expect([...d.keys()]).toEqual([0, 8, 96]);
    expect(d.get(0)?.name).toBe('PCMU');
    expect(d.get(8)?.name).toBe('PCMA');
    expect(d.get(96)?.name).toBe('PCMA');
    expect(d.has(18)).toBe(false);
  });

  it('without receiveCodecs plays only the send format', () => {
    const d = receiveDecoders({ codec: 'PCMA', payloadType: 8 });
    expect([...d.keys()]).toEqual([8]);
  });

  it('lets the send mapping win over a conflicting entry, and never decodes the telephone-event type', () => {
    const d = receiveDecoders({
      codec: 'PCMU',
      payloadType: 0,
      receiveCodecs: [{ payloadType: 0, codec: 'PCMA' }, { payloadType: 101, codec: 'PCMU' }],
      telephoneEventPayloadType: 101,
    });
    expect(d.get(0)?.name).toBe('PCMU');
    expect(d.has(101)).toBe(false);
  });
});

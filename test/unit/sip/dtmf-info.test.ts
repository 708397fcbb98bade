// DTMF in SIP INFO: received bodies judged (dtmf-relay, dtmf, other types, hostile input), our body built.
import { describe, expect, it } from 'vitest';
import { dtmfRelayBody, judgeDtmfInfo } from '../../../src-main/sip/dtmf-info';

describe('judgeDtmfInfo', () => {
  it('reads application/dtmf-relay: Signal and Duration, any case, spacing and line ending', () => {
    expect(judgeDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toEqual({ kind: 'digit', digit: '5', durationMs: 160 });
    expect(judgeDtmfInfo('Application/DTMF-Relay;charset=x', 'signal = #\nduration= 250')).toEqual({ kind: 'digit', digit: '#', durationMs: 250 });
    expect(judgeDtmfInfo('application/dtmf-relay', 'Signal=a')).toEqual({ kind: 'digit', digit: 'A' });
    // Gateways that send the event code: 10 is *, 11 is #.
    expect(judgeDtmfInfo('application/dtmf-relay', 'Signal=10\r\nDuration=100')).toEqual({ kind: 'digit', digit: '*', durationMs: 100 });
    expect(judgeDtmfInfo('application/dtmf-relay', 'Signal=11')).toEqual({ kind: 'digit', digit: '#' });
  });

  it('reads application/dtmf: the key itself', () => {
    expect(judgeDtmfInfo('application/dtmf', '7')).toEqual({ kind: 'digit', digit: '7' });
    expect(judgeDtmfInfo('application/dtmf', '11\r\n')).toEqual({ kind: 'digit', digit: '#' });
  });

  it('keeps the key but drops a Duration that is absurd', () => {
    expect(judgeDtmfInfo('application/dtmf-relay', 'Signal=1\r\nDuration=999999')).toEqual({ kind: 'digit', digit: '1' });
    expect(judgeDtmfInfo('application/dtmf-relay', 'Signal=1\r\nDuration=-5')).toEqual({ kind: 'digit', digit: '1' });
  });

  it('answers other body types as unsupported (415), an empty INFO as fine', () => {
    expect(judgeDtmfInfo('application/sdp', 'v=0')).toEqual({ kind: 'unsupported', type: 'application/sdp' });
    expect(judgeDtmfInfo(undefined, 'Signal=5')).toEqual({ kind: 'unsupported', type: '(none)' });
    expect(judgeDtmfInfo(undefined, '')).toEqual({ kind: 'empty' });
    expect(judgeDtmfInfo('application/dtmf-relay', '  ')).toEqual({ kind: 'empty' });
  });

  it('never makes a key of what is not one', () => {
    for (const body of ['Signal=E', 'Signal=16', 'Signal=55', 'Signal=', 'Duration=100', 'Signal=5;rm -rf', 'garbage', `Signal=5\r\n${'x'.repeat(2000)}`]) {
      expect(judgeDtmfInfo('application/dtmf-relay', body).kind, body.slice(0, 30)).toBe('ignored');
    }
    expect(judgeDtmfInfo('application/dtmf', '5 6').kind).toBe('ignored');
  });
});

describe('dtmfRelayBody', () => {
  it('is the Signal/Duration pair every PBX reads, and reads back as the same key', () => {
    expect(dtmfRelayBody('5', 160)).toBe('Signal=5\r\nDuration=160\r\n');
    expect(judgeDtmfInfo('application/dtmf-relay', dtmfRelayBody('*', 100))).toEqual({ kind: 'digit', digit: '*', durationMs: 100 });
  });
});

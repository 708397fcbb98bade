// Replays every fuzz finding (test/fixtures/fuzz/<target>/*) through its target, and checks what the
// fixed ones now answer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnswer, type LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';
import { FUZZ_TARGETS } from '../../fuzz/targets';

const root = join(__dirname, '..', '..', 'fixtures', 'fuzz');
const fixture = (path: string): string => readFileSync(join(root, path), 'latin1');

const local: LocalMediaOffer = { address: '192.0.2.10', port: 40_000, codecs: ['PCMU', 'PCMA'], telephoneEvent: true, ptime: 20, sessionId: '1', sessionVersion: 1 };

describe('fuzz fixtures replayed through their targets', () => {
  for (const target of FUZZ_TARGETS) {
    let files: string[] = [];
    try {
      files = readdirSync(join(root, target.name));
    } catch {
      continue;
    }
    for (const file of files) {
      it(`${target.name}/${file} neither throws nor breaks the invariant`, async () => {
        await target.setup?.();
        try {
          await target.run(new Uint8Array(readFileSync(join(root, target.name, file))));
        } finally {
          await target.teardown?.();
        }
      });
    }
  }
});

describe('what the fixed findings answer', () => {
  it('accepts an offer whose telephone-event list is the single event "15" and answers with it', () => {
    const offer = ['v=0', 'o=- 1 1 IN IP4 192.0.2.20', 's=-', 'c=IN IP4 192.0.2.20', 't=0 0', 'm=audio 5004 RTP/AVP 0 101',
      'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', `a=fmtp:101 ${fixture('rfc4733-fmtp/numeric-event-list.txt')}`, ''].join('\r\n');
    const answer = createAnswer(offer, local);
    expect('error' in answer ? answer.error : null).toBeNull();
    if ('error' in answer) return;
    expect(answer.sdp).toContain('a=fmtp:101 15\r\n');
    expect(answer.media.telephoneEventPayloadType).toBe(101);
  });

  it('refuses an offer whose c= address is a bare number with 488, instead of sending RTP to it', () => {
    const answer = createAnswer(fixture('sdp/numeric-connection-address.sdp'), local);
    expect(answer).toEqual({ error: { status: 488, reason: 'malformed SDP: no c= line for the audio stream' } });
  });

  it('refuses an offer of 1,601 m= lines before parsing it', () => {
    const answer = createAnswer(fixture('sdp/many-media-lines.sdp'), local);
    expect(answer).toEqual({ error: { status: 488, reason: 'SDP not accepted: more than 400 lines' } });
  });

  it('answers an offer padded with 263 unreadable a= lines like the plain offer (sendonly -> recvonly)', () => {
    const answer = createAnswer(fixture('sdp/unmatched-attribute-lines.sdp'), local);
    expect('error' in answer ? answer.error : null).toBeNull();
    if ('error' in answer) return;
    expect(answer.media).toMatchObject({ remoteAddress: '192.0.2.10', remotePort: 10_022, codec: 'PCMU', direction: 'recvonly' });
  });
});

// SDP fuzz targets: a peer's offer through createAnswer (as an incoming INVITE), a peer's answer
// through parseAnswer (as a 200 to our INVITE), isHold (re-INVITEs), with and without ICE; and the
// RFC 4733 telephone-event fmtp list an offer carries.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MediaStartParams } from '../../../src-main/rtp/media-session';
import { createAnswer, createOffer, isHold, parseAnswer, type LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';
import { check, isInt, repoRoot, text, utf8, type FuzzTarget } from '../target';

const local: LocalMediaOffer = {
  address: '192.0.2.10',
  port: 40_000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEvent: true,
  ptime: 20,
  sessionId: '1234',
  sessionVersion: 1,
};
const localIce: LocalMediaOffer = {
  ...local,
  ice: {
    ufrag: 'abcd',
    pwd: 'abcdefghijklmnopqrstuv',
    candidates: [{ foundation: '1', component: 1, transport: 'udp', priority: 2130706431, address: '192.0.2.10', port: 40_000, type: 'host' }],
  },
};

/** What the media session will be started with must be usable: a port, a payload type, a codec. */
function checkMedia(m: MediaStartParams, where: string): void {
  check(typeof m.remoteAddress === 'string' && m.remoteAddress.length > 0, `${where}: empty remote address`);
  check(isInt(m.remotePort, 1, 65_535), `${where}: remote port ${String(m.remotePort)} is not 1-65535`);
  check(isInt(m.payloadType, 0, 127), `${where}: payload type ${String(m.payloadType)} is not 0-127`);
  check(m.codec === 'PCMU' || m.codec === 'PCMA', `${where}: codec ${String(m.codec)}`);
  check(isInt(m.ptime, 10, 60), `${where}: ptime ${String(m.ptime)}`);
  if (m.telephoneEventPayloadType !== undefined) check(isInt(m.telephoneEventPayloadType, 0, 127), `${where}: telephone-event PT ${String(m.telephoneEventPayloadType)}`);
  if (m.remoteRtcpPort !== undefined) check(isInt(m.remoteRtcpPort, 1, 65_535), `${where}: RTCP port ${String(m.remoteRtcpPort)}`);
}

function sdpSeeds(): Uint8Array[] {
  const dir = join(repoRoot(), 'test', 'fixtures', 'sdp');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sdp')).map((f) => readFileSync(join(dir, f)));
  return [...files.map((b) => new Uint8Array(b)), utf8.encode(createOffer(local)), utf8.encode(createOffer(localIce))];
}

function negotiate(sdp: string, offer: LocalMediaOffer): void {
  const answered = createAnswer(sdp, offer);
  if ('error' in answered) {
    check(answered.error.status === 488 && typeof answered.error.reason === 'string', 'createAnswer error is not a 488 with a reason');
  } else {
    checkMedia(answered.media, 'createAnswer');
    // RFC 3264 §6: the answer has as many m= lines as the offer, in order, and we accept exactly one.
    const mLines = (text: string): string[] => text.match(/^m=.*$/gm) ?? [];
    const ours = mLines(answered.sdp);
    check(ours.length === mLines(sdp).length, 'the answer does not have one m= line per offered stream');
    const active = ours.filter((m) => !/^m=\S+ 0 /.test(m));
    check(active.length === 1 && active[0]?.startsWith(`m=audio ${offer.port} `), 'the answer does not accept exactly one stream on our port');
  }
  const read = parseAnswer(sdp, offer);
  if ('error' in read) check(typeof read.error === 'string', 'parseAnswer error is not text');
  else checkMedia(read, 'parseAnswer');
  isHold(sdp);
}

export const sdpTarget: FuzzTarget = {
  name: 'sdp',
  description: 'an offer through createAnswer and an answer through parseAnswer/isHold (sdp-negotiate.ts, sdp-ice.ts), with and without ICE',
  seeds: sdpSeeds,
  text: true,
  maxBytes: 16_384,
  run(input) {
    // With ICE or without, by the input's length: every input costs what one INVITE, 200 and re-INVITE do.
    negotiate(text(input), input.length % 2 === 0 ? local : localIce);
  },
};

/** An offer whose telephone-event fmtp is the input: RFC 4733 §2.4.1 event lists ("0-15,66,70"). */
export const rfc4733SdpTarget: FuzzTarget = {
  name: 'rfc4733-fmtp',
  description: 'the telephone-event a=fmtp event list of an offer (RFC 4733 §2.4.1) through createAnswer',
  seeds: () => ['0-15', '0-16', '0-15,66,70', '15', '16', '0,1,2,3', ''].map((s) => utf8.encode(s)),
  text: true,
  maxBytes: 512,
  run(input) {
    const fmtp = text(input).replace(/[\r\n]/g, ' ');
    const offer = [
      'v=0', 'o=- 1 1 IN IP4 192.0.2.20', 's=-', 'c=IN IP4 192.0.2.20', 't=0 0', 'm=audio 5004 RTP/AVP 0 101',
      'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', `a=fmtp:101 ${fmtp}`, 'a=sendrecv', '',
    ].join('\r\n');
    const answered = createAnswer(offer, local);
    // A telephone-event list never makes a G.711 offer unacceptable: the worst is no events at all.
    check(!('error' in answered), `offer refused for fmtp "${fmtp.slice(0, 60)}": ${'error' in answered ? answered.error.reason : ''}`);
    checkMedia(answered.media, 'createAnswer');
  },
};

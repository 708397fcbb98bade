// Runs one incoming call through IncomingCall, on a dry context (no sockets, no media, no timers, no
// logs), right after the user agent starts, so that V8 has compiled the answering path before the first
// real INVITE. Pure (like rtp/media-warm-up.ts, its media-side sibling).
//
// Why (issue 12): V8 compiles a function the first time it runs. Measured on the first INVITE of a fresh
// `softphone listen`: ~10 ms from the 100 Trying's start to its send (tags, responses), ~25 ms in the SDP
// offer check (sdp-transform's grammar) and ~20 ms building the dialog and the 180, all of it compiling.

import type { MediaEndpoint, MediaSession, MediaSessionEvents, MediaStartParams, RtpStats } from '../rtp/media-session';
import { Emitter } from '../util/emitter';
import type { Logger } from '../util/logger';
import type { CallContext } from './call-context';
import { IncomingCall } from './invitation';
import type { SipRequest } from './sip-message';
import type { Destination, SipTransport } from './sip-transport';

const REMOTE: Destination = { address: '192.0.2.1', port: 5060 };
const LOCAL: Destination = { address: '192.0.2.2', port: 5060 };

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };

const dryTransport: SipTransport = {
  resolve: () => Promise.resolve({ destination: REMOTE, local: LOCAL }),
  localFor: () => Promise.resolve(LOCAL),
  sendRequest: () => ({ topVia: () => undefined, resend: () => {} }),
  sendResponse: () => {},
};

class DryMedia implements MediaSession {
  private readonly events = new Emitter<MediaSessionEvents>();
  open(): Promise<MediaEndpoint> {
    return Promise.resolve({ address: LOCAL.address, rtpPort: 9, rtcpPort: 10 });
  }
  start(_p: MediaStartParams): Promise<void> {
    return Promise.resolve();
  }
  update(_p: MediaStartParams): Promise<void> {
    return Promise.resolve();
  }
  sendDtmf(): void {}
  setMuted(): void {}
  stats(): Promise<RtpStats> {
    return Promise.resolve(dryStats());
  }
  close(): Promise<RtpStats> {
    return Promise.resolve(dryStats());
  }
  on<K extends keyof MediaSessionEvents>(event: K, listener: (p: MediaSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}

function dryStats(): RtpStats {
  return { codec: null, packetsSent: 0, octetsSent: 0, packetsReceived: 0, octetsReceived: 0, packetsLost: 0, duplicates: 0, late: 0, jitterMs: 0, remote: null, maxSendGapMs: 0, rtcpReceived: 0 };
}

const OFFER = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 4000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

/** The INVITE a typical caller sends (a baresip or SIPp offer of both G.711 laws and RFC 4733 events). */
export function sampleInvite(): SipRequest {
  return {
    method: 'INVITE',
    uri: `sip:warm-up@${LOCAL.address}:${LOCAL.port}`,
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: REMOTE.address, port: REMOTE.port, params: { branch: 'z9hG4bKwarmup', rport: String(REMOTE.port) } }],
      to: { uri: `sip:warm-up@${LOCAL.address}`, params: {} },
      from: { name: 'Warm Up', uri: `sip:caller@${REMOTE.address}`, params: { tag: 'warmup' } },
      'call-id': 'warm-up-call',
      cseq: { seq: 1, method: 'INVITE' },
      contact: [{ uri: `sip:caller@${REMOTE.address}:${REMOTE.port}`, params: {} }],
      'max-forwards': '70',
      allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS',
      'content-type': 'application/sdp',
    },
    content: OFFER,
  };
}

/**
 * Rings and then refuses one sample call on copies of the user agent's settings (codecs, SRTP policy,
 * session timer) with nothing of its own attached: what it sends, opens or logs goes nowhere, and its
 * timers never run. Resolves when the sample call has ended (true when it rang as a real call would);
 * never rejects.
 */
export async function warmUpIncomingCall(ctx: CallContext): Promise<boolean> {
  const dry: CallContext = {
    ...ctx,
    transport: dryTransport,
    clock: { now: () => ctx.clock.now(), setTimeout: () => undefined, clearTimeout: () => {} },
    log: quiet,
    createMedia: () => new DryMedia(),
    addDialog: () => {},
    removeDialog: () => {},
    onCallEnded: () => {},
    warn: () => {},
    isAccountHop: () => Promise.resolve(false),
  };
  delete dry.onRefer;
  try {
    const call = new IncomingCall(dry, sampleInvite(), REMOTE);
    if (!(await call.begin())) return false;
    // Lets the deferred media preparation (the SDP answer) run, then turns the call down.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const rang = call.state === 'ringing';
    call.reject(486);
    return rang;
  } catch {
    // A warm-up that fails changes nothing for real calls.
    return false;
  }
}

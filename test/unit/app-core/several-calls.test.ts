// Issue 11, point 1: several calls at once in the core. Two INVITEs to the real UAS core (fake transport
// and clock) with the shared request handlers on top: answering the second holds the first (re-INVITE
// a=sendonly, microphone silenced, received audio no longer played), resuming the first holds the second.
import { beforeEach, describe, expect, it } from 'vitest';
import { CallTracker } from '../../../src-main/app-core/call-tracker';
import { createCallRequestHandlers } from '../../../src-main/app-core/call-requests';
import { activeCallId, callsToHold } from '../../../src-main/app-core/call-switch';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger } from '../sip/fake-sip-network';

class MuteRecordingMedia extends RecordingMedia {
  muted = false;
  override setMuted(...args: unknown[]): void {
    this.muted = args[0] === true;
  }
}

function invite(callId: string, port: number, user: string): SipRequest {
  return {
    method: 'INVITE',
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bK${callId}`, received: '203.0.113.5' } }],
      to: { uri: 'sip:softphone@192.0.2.10', params: {} },
      from: { name: `"${user}"`, uri: `sip:${user}@203.0.113.5:5062`, params: { tag: `${callId}-tag` } },
      'call-id': callId,
      cseq: { seq: 1, method: 'INVITE' },
      contact: [{ uri: `sip:${user}@203.0.113.5:5062`, params: {} }],
      'max-forwards': '70',
      'content-type': 'application/sdp',
    },
    content: peerSdp(port),
  };
}

let net: FakeTransport;
let media: MuteRecordingMedia[];
let incoming: Call[];
let tracker: CallTracker;
let handlers: ReturnType<typeof createCallRequestHandlers>;

beforeEach(async () => {
  net = new FakeTransport();
  media = [];
  incoming = [];
  const ua = new UserAgentCore({
    transport: net,
    clock: new FakeClock(),
    log: silentLogger,
    config: {
      port: 5060,
      userAgentName: 'unit',
      createMedia: () => {
        const m = new MuteRecordingMedia(6000 + media.length * 2);
        media.push(m);
        return m;
      },
    },
  });
  tracker = new CallTracker({ now: () => 1000 + incoming.length, changed: () => {}, ended: () => {}, setTimer: () => undefined });
  handlers = createCallRequestHandlers({ tracker, answer: (call) => call.answer() });
  ua.on('incoming', (c) => {
    incoming.push(c);
    tracker.track(c);
  });
  await ua.start();
});

/** The caller's ACK for our 200 OK to its INVITE (the dialog is confirmed; re-INVITEs may go). */
function ack(callId: string): void {
  const ok = net.responses.filter((r) => r.headers['call-id'] === callId && r.status === 200).at(-1);
  if (!ok) throw new Error(`no 200 for ${callId}`);
  const req = invite(callId, 0, 'x');
  delete req.content;
  delete req.headers['content-type'];
  net.deliver({ ...req, method: 'ACK', headers: { ...req.headers, to: ok.headers.to, cseq: { seq: 1, method: 'ACK' } } });
}

/** The SDP direction of each re-INVITE sent in the dialog of `callId`, oldest first. */
function reinviteDirections(callId: string): string[] {
  return net
    .requests('INVITE')
    .filter((r) => r.request.headers['call-id'] === callId)
    .map((r) => /a=(sendrecv|sendonly|recvonly|inactive)/.exec(r.request.content ?? '')?.[1] ?? 'none');
}

describe('several calls at once (core)', () => {
  it('answering a second call holds the first; resuming the first holds the second; each keeps its own peer', async () => {
    net.deliver(invite('call-a', 30000, 'alice'));
    await flush();
    await handlers['call.answer']({ callId: 'call-a' });
    ack('call-a');
    net.deliver(invite('call-b', 31000, 'bob'));
    await flush();
    expect(incoming.map((c) => [c.id, c.remoteDisplayName])).toEqual([['call-a', 'alice'], ['call-b', 'bob']]);
    // A second caller rings (180), it is not turned away.
    expect(net.responses.filter((r) => r.headers['call-id'] === 'call-b').map((r) => r.status)).toEqual([100, 180]);

    const answered = await handlers['call.answer']({ callId: 'call-b' });
    expect(answered).toMatchObject({ id: 'call-b', state: 'connected', remoteDisplayName: 'bob' });
    ack('call-b');
    await flush();
    // Call A: re-INVITE a=sendonly (RFC 3264 §8.4), microphone silenced, playout off at once.
    expect(reinviteDirections('call-a')).toEqual(['sendonly']);
    expect(media[0]?.muted).toBe(true);
    expect(media[0]?.updates.at(-1)?.direction).toBe('sendonly');
    expect(tracker.snapshot('call-a')).toMatchObject({ hold: { local: true, remote: false }, remoteDisplayName: 'alice' });
    // Call B is live: nothing sent in its dialog, its media untouched.
    expect(reinviteDirections('call-b')).toEqual([]);
    expect(media[1]?.muted).toBe(false);
    expect(media[1]?.started?.direction ?? 'sendrecv').toBe('sendrecv');
    expect(activeCallId(tracker.list())).toBe('call-b');

    // The peer answers the hold recvonly.
    const holdReinvite = net.last('INVITE');
    net.answer(holdReinvite, 200, { headers: { 'content-type': 'application/sdp' }, content: peerSdp(30000, 'recvonly') });
    await flush();

    // Swap: resuming A holds B first, then A goes back to sendrecv.
    const resumed = await handlers['call.hold']({ callId: 'call-a', hold: false });
    expect(resumed).toMatchObject({ id: 'call-a', hold: { local: false } });
    await flush();
    expect(reinviteDirections('call-b')).toEqual(['sendonly']);
    expect(reinviteDirections('call-a')).toEqual(['sendonly', 'sendrecv']);
    expect(media[1]?.muted).toBe(true);
    expect(media[0]?.muted).toBe(false);
    expect(tracker.snapshot('call-b')).toMatchObject({ hold: { local: true } });
    // The resume's answer plays A again.
    net.answer(net.requests('INVITE').filter((r) => r.request.headers['call-id'] === 'call-a').at(-1)!, 200, { headers: { 'content-type': 'application/sdp' }, content: peerSdp(30000) });
    await flush();
    expect(media[0]?.updates.at(-1)?.direction).toBe('sendrecv');
    expect(activeCallId(tracker.list())).toBe('call-a');

    // Each call hangs up on its own id.
    await handlers['call.hangup']({ callId: 'call-b' });
    expect(net.requests('BYE').map((r) => r.request.headers['call-id'])).toEqual(['call-b']);
    expect(tracker.getActive('call-a')?.call.state).toBe('connected');
  });

  it('declining a waiting call sends 486 (or 603) and leaves the connected call alone', async () => {
    net.deliver(invite('call-a', 30000, 'alice'));
    await flush();
    await handlers['call.answer']({ callId: 'call-a' });
    ack('call-a');
    net.deliver(invite('call-b', 31000, 'bob'));
    await flush();
    await handlers['call.reject']({ callId: 'call-b', status: 603 });
    expect(net.lastResponse().status).toBe(603);
    expect(net.lastResponse().headers['call-id']).toBe('call-b');
    expect(reinviteDirections('call-a')).toEqual([]);
    expect(media[0]?.muted).toBe(false);
  });
});

describe('call-switch', () => {
  const c = (id: string, state: 'ringing' | 'connected' | 'ended', local = false, connectedAt: number | null = 1) => ({ id, state, connectedAt, hold: { local, remote: false } });
  it('holds every live call but the kept one; held, ringing and ended calls are left alone', () => {
    expect(callsToHold([c('a', 'connected'), c('b', 'connected', true), c('c', 'ringing'), c('d', 'ended'), c('e', 'connected')], 'c')).toEqual(['a', 'e']);
    expect(callsToHold([c('a', 'connected')], 'a')).toEqual([]);
  });
  it('the active call is the live one connected last; none while all are held', () => {
    expect(activeCallId([c('a', 'connected', false, 5), c('b', 'connected', false, 9), c('x', 'connected', true, 20)])).toBe('b');
    expect(activeCallId([c('a', 'connected', true), c('b', 'ringing', false, null)])).toBeNull();
    // Held by the other side only: still ours to talk in once they resume.
    expect(activeCallId([{ id: 'r', state: 'connected', connectedAt: 1, hold: { local: false, remote: true } }])).toBe('r');
  });
});

describe('recording files of calls at the same time', () => {
  it('a second open call records to out-2.wav; once a call closes its file is free again', async () => {
    const { RecordSlots } = await import('../../../src-main/audio/record-slots');
    const { createMediaWithOwnRecording } = await import('../../../src-main/app-core/media-recording');
    const made: string[] = [];
    const slots = new RecordSlots();
    const make = () =>
      createMediaWithOwnRecording(
        (o) => {
          made.push(o.audio.kind === 'file' ? (o.audio.record ?? '') : o.audio.kind);
          return new RecordingMedia();
        },
        { audio: { kind: 'file', play: 'in.wav', record: '/tmp/out.wav' } },
        slots,
      );
    const first = make();
    const second = make();
    expect(made).toEqual(['/tmp/out.wav', '/tmp/out-2.wav']);
    await first.close();
    make();
    expect(made.at(-1)).toBe('/tmp/out.wav');
    await second.close();
    // The sound card (or no recording) is passed through untouched.
    createMediaWithOwnRecording((o) => {
      made.push(o.audio.kind);
      return new RecordingMedia();
    }, { audio: { kind: 'portaudio' } }, slots);
    expect(made.at(-1)).toBe('portaudio');
  });
});

// Issue 10 through the `softphone call` command: a peer answers (a scripted SIP peer on a real UDP
// socket) but its audio never arrives, as when a firewall blocks it. The CLI prints a media_warning line,
// then ends the call after --no-rtp-timeout with "no RTP for 2 s", exits 1, and the BYE reaches the peer.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { makeTempDir, removeDir, TONE_A_HZ, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { methodOf, responseTo, startScriptedPeer, type ScriptedPeer } from '../support/scripted-sip-peer';

/** A 200 OK to `invite` with an SDP answer whose audio port is `rtpPort` (where nothing is ever sent from). */
function okWithSdp(invite: string, sipPort: number, rtpPort: number): string {
  const sdp = ['v=0', 'o=peer 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${rtpPort} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
  const head = responseTo(invite, 200, 'OK', [`Contact: <sip:peer@127.0.0.1:${sipPort}>`, 'Content-Type: application/sdp']);
  return head.replace(/Content-Length: 0\r\n\r\n$/, `Content-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`);
}

describe('softphone call: a peer whose audio never arrives', () => {
  let dir: string;
  let tone: string;
  let peer: ScriptedPeer | null = null;
  let sink: Socket | null = null;
  beforeAll(() => {
    dir = makeTempDir('no-rtp-');
    tone = writeToneWav(dir, TONE_A_HZ, 5);
  });
  afterEach(async () => {
    stopAllSoftphones();
    await peer?.close();
    peer = null;
    sink?.close();
    sink = null;
  });
  afterAll(() => removeDir(dir));

  it('media_warning, then ended "no RTP for 2 s" (by error, exit 1), and the peer gets the BYE', async () => {
    // The peer's "RTP port": it takes our packets in and never sends any back.
    const s = createSocket('udp4');
    sink = s;
    let fromUs = 0;
    s.on('message', () => fromUs++);
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const rtpPort = s.address().port;
    let sipPort = 0;
    const p = await startScriptedPeer((req) => {
      const method = methodOf(req);
      if (method === 'INVITE') return okWithSdp(req, sipPort, rtpPort);
      if (method === 'BYE') return responseTo(req, 200, 'OK');
      return null;
    });
    peer = p;
    sipPort = p.port;
    const rtp = await freePortRange(10);
    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${sipPort}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', tone, '--no-rtp-timeout', '2'],
      { name: 'A' },
    );
    printOnFailure(a);
    await a.waitFor('connected');
    const warning = await a.waitFor('media_warning');
    expect(warning).toMatchObject({ kind: 'never', path: 'direct' });
    expect(warning['silentSeconds']).toBeGreaterThanOrEqual(1);
    expect(warning['message']).toBe("no audio from the other side for 1 s: the peer's media may be blocked by a firewall or NAT");
    const ended = await a.waitFor('ended');
    expect(ended).toMatchObject({ reason: 'no RTP for 2 s', by: 'error' });
    expect((ended['rtp'] as { packetsReceived: number }).packetsReceived).toBe(0);
    expect(await a.waitForExit()).toBe(1);
    // The BYE went out on the wire, in the dialog the 200 OK made.
    const bye = await p.waitFor((t) => methodOf(t) === 'BYE');
    expect(bye).toMatch(/^BYE sip:peer@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
    expect(fromUs).toBeGreaterThan(0); // our audio did go out: only theirs was missing
    const names = a.events.map((e) => e.event);
    expect(names.indexOf('connected')).toBeLessThan(names.indexOf('media_warning'));
    expect(names.indexOf('media_warning')).toBeLessThan(names.indexOf('ended'));
  });
});

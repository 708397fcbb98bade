// `softphone call --session-expires 600` against SIPp: the INVITE on the wire asks for that interval
// (RFC 4028 §7.1), SIPp's scenario checks it, and the call connects and ends normally.
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { printOnFailure } from '../support/on-failure';
import { freePortRange } from '../support/free-port';
import { makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { startSippServer, type SippServer } from '../support/sipp-server';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

const skip = skipWithoutRealPeer('SIPp --session-expires (CLI)', spawnSync('sipp', ['-v']).error ? 'sipp (Debian sip-tester) is not installed' : null);

let dir: string;
let tone: string;
const servers: SippServer[] = [];
beforeAll(() => {
  dir = makeTempDir('session-expires-cli-');
  tone = writeToneWav(dir, 440, 5);
});
afterEach(async () => {
  await stopAllSoftphones();
  for (const s of servers.splice(0)) s.stop();
});
afterAll(() => removeDir(dir));

describe.skipIf(skip)('softphone call --session-expires', () => {
  it('600: the INVITE says Session-Expires: 600 and Min-SE: 90; the call connects and ends with exit 0', async () => {
    const sipp = await startSippServer('uas-session-expires-600.xml');
    servers.push(sipp);
    const rtp = await freePortRange(4);
    const p = startSoftphone(
      ['call', `sip:bob@127.0.0.1:${sipp.port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', tone, '--duration', '0.5', '--session-expires', '600'],
      { name: 'alice' },
    );
    printOnFailure(p);
    expect(await p.waitForExit()).toBe(0);
    expect(p.all('ended')).toEqual([expect.objectContaining({ reason: 'hung up', by: 'local' })]);
    const r = await sipp.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });
});

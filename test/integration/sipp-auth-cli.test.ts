// What the `softphone call` user sees when the PBX (SIPp) challenges the BYE (issue 10): answered, the
// call ends as "hung up" and SIPp gets its authenticated BYE; refused, the CLI says the server may still
// hold the call instead of reporting a clean hang-up only.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { printOnFailure } from '../support/on-failure';
import { freePortRange } from '../support/free-port';
import { makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { startSippServer, type SippServer } from '../support/sipp-server';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

function sippMissing(): string | null {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'sipp (Debian sip-tester) is not installed' : null;
  }
}
const skip = skipWithoutRealPeer('SIPp auth scenarios (CLI)', sippMissing());

let dir: string;
let tone: string;
const servers: SippServer[] = [];
beforeAll(() => {
  dir = makeTempDir('sipp-auth-cli-');
  tone = writeToneWav(dir, 440, 5);
});
afterEach(() => {
  stopAllSoftphones();
  for (const s of servers.splice(0)) s.stop();
});
afterAll(() => removeDir(dir));

async function callThrough(scenario: string) {
  const sipp = await startSippServer(scenario);
  servers.push(sipp);
  const rtp = await freePortRange(4);
  const p = startSoftphone(
    [
      'call', 'bob', '--user', 'alice', '--domain', `127.0.0.1:${sipp.port}`, '--no-register', '--bind', '127.0.0.1',
      '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', tone, '--duration', '0.5',
    ],
    { name: 'alice', env: { SOFTPHONE_PASSWORD: 'secret' } },
  );
  printOnFailure(p);
  return { sipp, p };
}

describe.skipIf(skip)('softphone call: a challenged BYE (issue 10)', () => {
  it('401 then the authenticated BYE accepted: ended "hung up", exit 0, SIPp saw the BYE with credentials, no warning', async () => {
    const { sipp, p } = await callThrough('pbx-bye-401.xml');
    expect(await p.waitForExit()).toBe(0);
    expect(p.all('ended')).toEqual([expect.objectContaining({ reason: 'hung up', by: 'local' })]);
    expect(p.all('warning')).toEqual([]);
    const r = await sipp.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('the credentials refused on the BYE: the CLI warns that the server may still hold the call', async () => {
    const { sipp, p } = await callThrough('pbx-bye-401-refused.xml');
    await p.waitForExit();
    expect(p.all('ended')).toEqual([expect.objectContaining({ reason: 'hung up', by: 'local' })]);
    expect(p.all('warning').map((w) => w['message'])).toEqual([
      'hang-up not accepted by the server (BYE: 401 Unauthorized (wrong password?)); it may still count the call as up',
    ]);
    const r = await sipp.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });
});

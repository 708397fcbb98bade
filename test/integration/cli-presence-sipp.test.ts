// Issue 11, part 6: the CLI's presence and message-waiting against SIPp, checked on the wire by SIPp's
// scenario and in our output. --presence: PUBLISH challenged in the account's realm, PIDF basic open with
// RPID away, SIP-ETag refreshed with SIP-If-Match (no body), 412 -> a fresh PUBLISH, Expires: 0 at exit.
// --watch: SIPp's PIDF NOTIFY becomes a presence line; --voicemail: its message-summary NOTIFY becomes a
// voicemail line; both un-SUBSCRIBE at exit. Signalling only (no audio).
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { startSippServer, type SippServer } from '../support/sipp-server';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';

function sippMissing(): string | null {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'sipp (Debian sip-tester) is not installed' : null;
  }
}
const skip = skipWithoutRealPeer('SIPp presence and MWI (CLI)', sippMissing());

const servers: SippServer[] = [];
afterEach(() => {
  stopAllSoftphones();
  for (const s of servers.splice(0)) s.stop();
});

async function sipp(scenario: string): Promise<SippServer> {
  const s = await startSippServer(scenario);
  servers.push(s);
  return s;
}

const account = (port: number) => ['--user', 'alice', '--domain', `127.0.0.1:${port}`, '--no-register', '--port', '0', '--bind', '127.0.0.1', '--sip-t1', '100'];

describe.skipIf(skip)('softphone --presence / --watch / --voicemail against SIPp', () => {
  it('--presence away: PUBLISH with PIDF, refresh with SIP-If-Match, 412 -> fresh PUBLISH, Expires: 0 at exit', async () => {
    const server = await sipp('presence-publish-server.xml');
    const p = startSoftphone(['listen', ...account(server.port), '--presence', 'away'], { name: 'alice', env: { SOFTPHONE_PASSWORD: 'secret' } });
    printOnFailure(p);
    // The first grant (2 s), then, after the refresh's 412, the fresh PUBLISH's.
    await p.waitFor('publication', (e) => e['state'] === 'published' && e['expires'] === 3600);
    expect(p.all('publication').map((e) => [e['state'], e['presence'], e['expires']])).toEqual([
      ['published', 'away', 2],
      ['published', 'away', 3600],
    ]);
    p.signal('SIGTERM');
    expect(await p.waitForExit()).toBe(0);
    expect(p.all('publication').at(-1)).toMatchObject({ state: 'removed' });
    const r = await server.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('--watch: a PIDF NOTIFY is printed as presence (busy, open, the note); un-SUBSCRIBE at exit', async () => {
    const server = await sipp('presence-notifier.xml');
    const p = startSoftphone(['listen', '--port', '0', '--bind', '127.0.0.1', '--sip-t1', '100', '--watch', `sip:bob@127.0.0.1:${server.port}`]);
    printOnFailure(p);
    const line = await p.waitFor('presence', (e) => e['availability'] !== undefined);
    expect(line).toMatchObject({ uri: `sip:bob@127.0.0.1:${server.port}`, state: 'active', availability: 'busy', basic: 'open', note: 'In a meeting' });
    p.signal('SIGTERM');
    expect(await p.waitForExit()).toBe(0);
    const r = await server.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('--voicemail: the message-summary NOTIFY is printed as voicemail counts; un-SUBSCRIBE at exit', async () => {
    const server = await sipp('mwi-notifier.xml');
    const p = startSoftphone(['listen', ...account(server.port), '--voicemail']);
    printOnFailure(p);
    const line = await p.waitFor('voicemail', (e) => e['newMessages'] !== undefined);
    expect(line).toMatchObject({ state: 'active', waiting: true, newMessages: 3, oldMessages: 5, urgentNew: 1, urgentOld: 0 });
    p.signal('SIGTERM');
    expect(await p.waitForExit()).toBe(0);
    const r = await server.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });
});

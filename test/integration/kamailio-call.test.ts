// `softphone` processes registered to a real Kamailio with digest auth: calls with audio both ways,
// hang-up from either side, wrong password, busy, unregistered callee, CANCEL, and a 302 redirect.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DEFAULT_USERS, startKamailio, type KamailioServer } from '../support/kamailio';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';

let kam: KamailioServer;
let dir: string;
let toneA: string;
let toneB: string;

beforeAll(async () => {
  // A callee of its own per test: a contact left behind by one test (had its un-REGISTER failed) must
  // not fork the next test's call to a dead phone.
  kam = await startKamailio({ users: { ...DEFAULT_USERS, dave: 'davepw', erin: 'erinpw', frank: 'frankpw', grace: 'gracepw' } });
  dir = makeTempDir('kamailio-call-');
  toneA = writeToneWav(dir, TONE_A_HZ);
  toneB = writeToneWav(dir, TONE_B_HZ);
});
afterEach(() => stopAllSoftphones());
afterAll(async () => {
  await kam?.stop();
  removeDir(dir);
});

/** Flags for a phone registered as `user` (password from SOFTPHONE_PASSWORD, as --help recommends). */
async function phone(
  command: 'listen' | 'call',
  user: string,
  extra: string[],
  opts: { password?: string; name?: string } = {},
): Promise<SoftphoneProcess> {
  const rtp = await freePortRange(10);
  const port = command === 'listen' ? ['--port', String(await freeUdpPort())] : [];
  const head = command === 'call' ? ['call', extra[0] ?? ''] : ['listen'];
  const rest = command === 'call' ? extra.slice(1) : extra;
  const p = startSoftphone(
    [...head, '--user', user, '--domain', kam.domain, '--bind', '127.0.0.1', ...port, '--rtp-ports', `${rtp.min}-${rtp.max}`, ...rest],
    { name: opts.name ?? user, env: { SOFTPHONE_PASSWORD: opts.password ?? kam.users[user] ?? '' } },
  );
  printOnFailure(p);
  return p;
}

/** A registered `listen` phone, ready for calls. */
async function listener(user: string, extra: string[]): Promise<SoftphoneProcess> {
  const p = await phone('listen', user, extra);
  const reg = await p.waitFor('registered');
  expect(reg['expires']).toBeGreaterThan(0);
  expect(String(reg['contact'])).toContain(user);
  return p;
}

function expectTone(path: string, freq: number, label: string): void {
  const r = toneReport(path, freq);
  expect(r.coverage, describeReport(label, r)).toBeGreaterThanOrEqual(0.9);
  expect(r.measuredSeconds, describeReport(label, r)).toBeGreaterThan(3);
}

describe('calls through Kamailio with digest auth', () => {
  it('alice calls bob; audio both ways; alice hangs up; both see who ended it', async () => {
    printOnFailure(kam);
    const recA = join(dir, 'alice-1.wav');
    const recB = join(dir, 'bob-1.wav');
    const bob = await listener('bob', ['--auto-answer', '--play', toneB, '--record', recB, '--max-calls', '1']);
    const alice = await phone('call', 'alice', [`bob`, '--play', toneA, '--record', recA, '--duration', '5']);
    expect(await alice.waitFor('registered')).toBeTruthy();
    const incoming = await bob.waitFor('incoming');
    expect(incoming['from']).toMatch(/^sip:alice@/);
    expect((await alice.waitFor('connected'))['codec']).toMatch(/^PCM[UA]$/);
    await bob.waitFor('connected');

    const endedA = await alice.waitFor('ended', undefined, 15_000);
    const endedB = await bob.waitFor('ended');
    expect(endedA).toMatchObject({ by: 'local' });
    expect(endedB).toMatchObject({ by: 'remote' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await bob.waitForExit()).toBe(0);
    expectTone(recA, TONE_B_HZ, 'alice heard');
    expectTone(recB, TONE_A_HZ, 'bob heard');
  });

  it('the callee hangs up (SIGTERM on listen): BYE through the proxy, both ended, it un-registers', async () => {
    printOnFailure(kam);
    const recA = join(dir, 'alice-2.wav');
    const recB = join(dir, 'dave-2.wav');
    const dave = await listener('dave', ['--auto-answer', '--play', toneB, '--record', recB]);
    const alice = await phone('call', 'alice', ['dave', '--play', toneA, '--record', recA]);
    const connected = await dave.waitFor('connected');
    await alice.waitFor('connected');
    // The call's length is the point here, not a wait for an event.
    const talkMs = 4500 - (Date.now() - Date.parse(connected.time));
    await new Promise((r) => setTimeout(r, Math.max(0, talkMs)));
    dave.signal('SIGTERM');

    expect(await dave.waitFor('ended')).toMatchObject({ by: 'local' });
    expect(await alice.waitFor('ended')).toMatchObject({ by: 'remote' });
    await dave.waitFor('unregistered');
    expect(await dave.waitForExit()).toBe(0);
    expect(await alice.waitForExit()).toBe(0);
    expectTone(recA, TONE_B_HZ, 'alice heard');
    expectTone(recB, TONE_A_HZ, 'dave heard');
  });

  it('a wrong password gives registration_failed with 401/403 and exit code 1 (call and listen)', async () => {
    printOnFailure(kam);
    const caller = await phone('call', 'alice', ['bob'], { password: 'not-alicepw', name: 'alice-wrong' });
    const lis = await phone('listen', 'erin', ['--auto-answer'], { password: 'nope', name: 'erin-wrong' });
    for (const p of [caller, lis]) {
      const failed = await p.waitFor('registration_failed');
      expect(String(failed['reason'])).toMatch(/401|403/);
      expect(failed['retryInSeconds']).toBeUndefined();
      expect(await p.waitForExit()).toBe(1);
    }
    expect(caller.all('calling')).toEqual([]);
  });

  it('a busy callee (listen --reject 486) ends the call with 486 and exit code 1', async () => {
    printOnFailure(kam);
    const erin = await listener('erin', ['--reject', '486', '--max-calls', '1']);
    const alice = await phone('call', 'alice', ['erin']);
    const ended = await alice.waitFor('ended');
    expect(ended['status']).toBe(486);
    expect(String(ended['reason'])).toContain('486');
    expect(await alice.waitForExit()).toBe(1);
    const endedB = await erin.waitFor('ended');
    expect(endedB).toMatchObject({ by: 'local' });
    expect(`${String(endedB['reason'])} ${String(endedB['status'])}`).toMatch(/486|busy/i);
    expect(await erin.waitForExit()).toBe(0);
  });

  it('a known user who is not registered gives 480, an unknown one 404; exit code 1', async () => {
    printOnFailure(kam);
    const toCarol = await phone('call', 'alice', ['frank'], { name: 'alice-to-frank' });
    const toNobody = await phone('call', 'bob', ['nobody'], { name: 'bob-to-nobody' });
    const a = await toCarol.waitFor('ended');
    const b = await toNobody.waitFor('ended');
    expect(a).toMatchObject({ status: 480, by: 'remote' });
    expect(String(a['reason'])).toContain('480');
    expect(b).toMatchObject({ status: 404, by: 'remote' });
    expect(String(b['reason'])).toContain('404');
    expect(await toCarol.waitForExit()).toBe(1);
    expect(await toNobody.waitForExit()).toBe(1);
  });

  it('SIGTERM while ringing sends CANCEL: the callee sees the call cancelled, alice exits 0', async () => {
    printOnFailure(kam);
    const grace = await listener('grace', ['--max-calls', '1']);
    const alice = await phone('call', 'alice', ['grace']);
    await grace.waitFor('incoming');
    await alice.waitFor('ringing');
    alice.signal('SIGTERM');
    const endedA = await alice.waitFor('ended');
    expect(endedA).toMatchObject({ by: 'local' });
    expect(String(endedA['reason'])).toMatch(/cancel/i);
    expect(await alice.waitForExit()).toBe(0);
    const endedB = await grace.waitFor('ended');
    expect(endedB).toMatchObject({ by: 'remote' });
    expect(String(endedB['reason'])).toMatch(/cancel/i);
    expect(await grace.waitForExit()).toBe(0);
    expect(grace.all('connected')).toEqual([]);
  });

  it('follows a 302 from redirect-carol to carol, and the audio flows', async () => {
    printOnFailure(kam);
    const recA = join(dir, 'alice-3.wav');
    const recC = join(dir, 'carol-3.wav');
    // The 302 carries carol's registered Contact, so alice's second INVITE reaches carol directly, not
    // through Kamailio: since issue 9 a registered phone takes such a call only with --allow-direct-calls.
    const carol = await listener('carol', ['--auto-answer', '--allow-direct-calls', '--play', toneB, '--record', recC, '--max-calls', '1']);
    const alice = await phone('call', 'alice', ['redirect-carol', '--play', toneA, '--record', recA, '--duration', '5']);
    expect((await carol.waitFor('incoming'))['from']).toMatch(/^sip:alice@/);
    await alice.waitFor('connected');
    await alice.waitFor('ended', undefined, 15_000);
    expect(await carol.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await carol.waitForExit()).toBe(0);
    expectTone(recA, TONE_B_HZ, 'alice heard');
    expectTone(recC, TONE_A_HZ, 'carol heard');
  });
});

// Page-mode instant messages (RFC 3428, issue 11 point 6) between `softphone` processes, driven through
// the control channel: straight by IP, and through Kamailio (its 407 answered, relayed to the callee's
// registration); a stranger's MESSAGE straight to a registered phone is refused like a ghost call.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startKamailio, type KamailioServer } from '../support/kamailio';
import { freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { buildRequest, sendDatagram, statusOf } from '../support/sip-probe';
import { printOnFailure } from '../support/on-failure';

let kam: KamailioServer;
beforeAll(async () => {
  kam = await startKamailio({ users: { ...DEFAULT_USERS } });
});
afterEach(() => stopAllSoftphones());
afterAll(async () => {
  await kam?.stop();
});

async function listener(name: string, account: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ p: SoftphoneProcess; port: number }> {
  const port = await freeUdpPort();
  const p = startSoftphone(['listen', '--port', String(port), '--bind', '127.0.0.1', '--record', '/dev/null', ...account], { name, control: true, env });
  printOnFailure(p);
  await p.waitFor('listening');
  return { p, port };
}

/** A MESSAGE as a stranger writes it, with a body. */
function strangerMessage(uri: string, text: string): string {
  const body = Buffer.from(text, 'utf8');
  return buildRequest('MESSAGE', uri).replace('Content-Length: 0\r\n\r\n', `Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ${body.length}\r\n\r\n${text}`);
}

describe('instant messages (SIP MESSAGE)', () => {
  it('straight by IP: the text arrives as sent (UTF-8), the sender gets the 200', async () => {
    // T1 100 ms: the dead target below costs timer F = 64*T1 = 6.4 s instead of 32 s.
    const a = await listener('A', ['--sip-t1', '100']);
    const b = await listener('B');
    const text = '안녕하세요, bob! 회의는 3시예요 ✓';
    const sent = await a.p.request('message.send', { to: `sip:bob@127.0.0.1:${b.port}`, text });
    expect(sent).toEqual({ ok: true, value: { status: 200, peer: `sip:bob@127.0.0.1:${b.port}`, id: expect.any(String) } });
    const got = await b.p.waitFor('message');
    expect(got['text']).toBe(text);
    expect(String(got['from'])).toMatch(/^sip:[^@]+@127\.0\.0\.1:\d+$/);
    // Nobody listening there: the sender hears why (timer F of the non-INVITE transaction, or ICMP).
    const dead = await freeUdpPort();
    const failed = await a.p.request('message.send', { to: `sip:nobody@127.0.0.1:${dead}`, text: 'hello?' }, 60_000);
    expect(failed).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringMatching(/^message not delivered: /) } });
    // Issue 11, part 6: the CLI serves the chat channels too (this run's conversations, in memory).
    const list = await a.p.request('messages.list', {});
    expect(list).toMatchObject({ ok: true, value: [{ peer: `sip:nobody@127.0.0.1:${dead}`, last: { status: 'failed' } }, { peer: `sip:bob@127.0.0.1:${b.port}`, last: { text, status: 'sent' } }] });
    expect(await b.p.request('messages.list', {})).toMatchObject({ ok: true, value: [{ unread: 1, last: { direction: 'in', text } }] });
  }, 90_000);

  it('through Kamailio: the 407 is answered and the MESSAGE reaches bob\'s registration; unknown users fail; strangers get 403', async () => {
    const account = (user: string) => ['--user', user, '--domain', kam.domain];
    const alice = await listener('alice', account('alice'), { SOFTPHONE_PASSWORD: kam.users['alice'] ?? '' });
    const bob = await listener('bob', account('bob'), { SOFTPHONE_PASSWORD: kam.users['bob'] ?? '' });
    await Promise.all([alice.p.waitFor('registered'), bob.p.waitFor('registered')]);
    expect(await alice.p.request('message.send', { to: 'bob', text: 'lunch?' })).toMatchObject({ ok: true, value: { status: 200, peer: expect.stringMatching(/^sip:bob@/) } });
    expect(await bob.p.waitFor('message')).toMatchObject({ from: `sip:alice@${kam.domain}`, text: 'lunch?' });
    expect(kam.log()).toMatch(/MESSAGE sip:bob@/);
    // Kamailio's own answer for a user it does not know.
    expect(await alice.p.request('message.send', { to: 'nobody', text: 'hi' })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^message not delivered: 404/) } });
    // Straight to bob's contact, not via the registrar: refused quietly, never shown.
    const reply = await sendDatagram(bob.port, strangerMessage(`sip:bob@127.0.0.1:${bob.port}`, 'click this link'), { timeoutMs: 3000 });
    expect(statusOf(reply)).toBe(403);
    expect(await bob.p.waitFor('rejected')).toMatchObject({ from: 'sip:probe@127.0.0.1', reason: 'not from the registrar or outbound proxy' });
    expect(bob.p.all('message').map((e) => e['text'])).toEqual(['lunch?']);
  }, 90_000);
});

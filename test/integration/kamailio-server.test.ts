// The Kamailio config itself, checked with SIPp before our own phone is involved: digest-challenged
// REGISTER, 403 on a wrong password, and a plain OPTIONS to the server.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { runSipp } from '../support/sipp';
import { buildRequest, sendDatagram, statusOf } from '../support/sip-probe';

describe('kamailio test server (SIPp)', () => {
  let kam: KamailioServer;
  beforeAll(async () => {
    kam = await startKamailio();
  });
  afterAll(async () => {
    await kam?.stop();
  });
  const printLog = () => onTestFailed(() => console.error(`--- kamailio log ---\n${kam.log()}`));

  it('accepts a REGISTER with the right password after a 401 challenge', async () => {
    printLog();
    const r = await runSipp('register-auth.xml', kam.port, ['-s', 'alice', '-au', 'alice', '-ap', 'alicepw']);
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('answers 403 to a REGISTER with a wrong password', async () => {
    printLog();
    const r = await runSipp('register-wrong-password.xml', kam.port, ['-s', 'bob', '-au', 'bob', '-ap', 'nope']);
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
  });

  it('answers OPTIONS to itself with 200 and challenges an INVITE from a local user with 407', async () => {
    printLog();
    expect(statusOf(await sendDatagram(kam.port, buildRequest('OPTIONS', `sip:${kam.domain}`)))).toBe(200);
    const invite = buildRequest('INVITE', `sip:bob@${kam.domain}`, 5999).replace(
      'From: <sip:probe@127.0.0.1>',
      `From: <sip:alice@${kam.domain}>`,
    );
    expect(statusOf(await sendDatagram(kam.port, invite))).toBe(407);
  });
});

// A baresip peer registered to the test Kamailio as one of its digest users (the harness's own account
// is a local one that never registers): a second User-Agent added over ctrl_tcp with `uanew`.
import { startBaresip, type Baresip } from '../support/baresip';
import type { KamailioServer } from '../support/kamailio';

export interface RegisteredPeerOptions {
  user: string;
  /** Its microphone: an 8 kHz mono WAV. */
  playWav: string;
  answerMode?: 'auto' | 'manual';
  codec?: 'PCMU' | 'PCMA';
}

/** baresip registered at `kam` as `user` (password from the server's user table); resolves on 200 OK. */
export async function startRegisteredPeer(kam: KamailioServer, opts: RegisteredPeerOptions): Promise<Baresip> {
  const password = kam.users[opts.user];
  if (password === undefined) throw new Error(`kamailio has no user ${opts.user}`);
  const codec = opts.codec ?? 'PCMU';
  const bs = await startBaresip({ codec, playWav: opts.playWav, user: opts.user, answerMode: opts.answerMode ?? 'auto' });
  try {
    // baresip's account syntax: <AOR>;params. The registrar is the AOR's host:port (the server).
    await bs.command('uanew', `<sip:${opts.user}@${kam.domain}>;auth_pass=${password};answermode=${opts.answerMode ?? 'auto'};audio_codecs=${codec};regint=600`);
    const ok = await bs.waitForEvent('REGISTER_OK', 10_000);
    if (ok['accountaor'] !== `sip:${opts.user}@${kam.domain}`) throw new Error(`baresip registered ${String(ok['accountaor'])}`);
  } catch (err) {
    await bs.stop();
    throw err;
  }
  return bs;
}

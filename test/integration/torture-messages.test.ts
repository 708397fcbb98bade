// Every RFC 4475 torture message and RFC 5118 IPv6 message, sent over real UDP to a running
// `softphone listen`: each gets the answer its RFC describes (or none, for responses), the process
// reports no internal error, and it still answers a plain OPTIONS afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { buildRequest, statusOf } from '../support/sip-probe';
import { printOnFailure } from '../support/on-failure';
import { TORTURE_CASES, loadTortureMessage } from '../support/torture-messages';

let phone: SoftphoneProcess;
let port: number;

beforeAll(async () => {
  port = await freeUdpPort();
  const rtp = await freePortRange(20);
  // --reject: a torture INVITE that rings (180) is then turned down, so no call stays up between cases.
  phone = startSoftphone(['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--reject', '486'], {
    name: 'torture',
  });
  await phone.waitFor('listening');
});
afterAll(async () => {
  await stopAllSoftphones();
});

/** A socket of its own per message: collects every answer it gets. */
class Probe {
  private readonly sock: Socket = createSocket('udp4');
  readonly statuses: number[] = [];
  private waiting: { status: number; resolve: (ok: boolean) => void } | undefined;

  async open(): Promise<void> {
    this.sock.on('message', (msg) => {
      const status = statusOf(msg.toString('latin1'));
      if (status === null) return;
      this.statuses.push(status);
      if (this.waiting?.status === status) this.waiting.resolve(true);
    });
    await new Promise<void>((res) => this.sock.bind(0, '127.0.0.1', () => res()));
  }

  send(payload: Buffer | string): void {
    this.sock.send(typeof payload === 'string' ? Buffer.from(payload) : payload, port, '127.0.0.1');
  }

  /** Resolves true once `status` has arrived, false after timeoutMs. */
  waitFor(status: number, timeoutMs = 3000): Promise<boolean> {
    if (this.statuses.includes(status)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.waiting = {
        status,
        resolve: (ok) => {
          clearTimeout(t);
          resolve(ok);
        },
      };
    });
  }

  close(): void {
    this.sock.close();
  }
}

/**
 * The RFC 5118 messages share one Call-ID and Via branch: sent to one user agent, a later one would be
 * a retransmission of an earlier transaction (RFC 3261 §17.2.3) and be answered to the earlier sender.
 * Each message gets a Call-ID of its own here (the gate's unit test reads the bytes untouched).
 */
function asOwnTransaction(bytes: Buffer, file: string): Buffer {
  const text = bytes.toString('latin1');
  const tag = file.replace(/\W/g, '');
  return Buffer.from(text.replace(/\r\n(Call-ID|i)([ \t]*:[ \t]*)([^\r\n]+)/i, (_, n: string, sep: string, v: string) => `\r\n${n}${sep}${tag}.${v}`), 'latin1');
}

describe('RFC 4475 / RFC 5118 torture messages over UDP', () => {
  for (const c of TORTURE_CASES) {
    it(`${c.section} ${c.title} (${c.file}) -> ${c.ua ?? 'no answer'}`, async () => {
      printOnFailure(phone);
      const probe = new Probe();
      await probe.open();
      try {
        probe.send(asOwnTransaction(loadTortureMessage(c.file), c.file));
        if (c.ua !== null) {
          expect(await probe.waitFor(c.ua), `answers were ${probe.statuses.join(', ') || 'none'}`).toBe(true);
          // an INVITE that rang must not also have been refused as malformed
          expect(probe.statuses.filter((s) => s >= 400 && s !== c.ua && s !== 486)).toEqual([]);
        } else {
          // Nothing may come back: an OPTIONS sent after it is answered, so it was read and ignored.
          probe.send(buildRequest('OPTIONS', `sip:x@127.0.0.1:${port}`));
          expect(await probe.waitFor(200)).toBe(true);
          expect(probe.statuses).toEqual([200]);
        }
      } finally {
        probe.close();
      }
    });
  }

  it('after all of them the phone is up, reported no internal error, and still answers OPTIONS', async () => {
    const probe = new Probe();
    await probe.open();
    probe.send(buildRequest('OPTIONS', `sip:x@127.0.0.1:${port}`));
    expect(await probe.waitFor(200)).toBe(true);
    probe.close();
    expect(phone.running).toBe(true);
    expect(phone.all('error')).toEqual([]);
    expect(phone.strayLines).toEqual([]);
  });
});

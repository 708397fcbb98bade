// SIP fuzz targets. sip-parse: the `sip` package's parser exactly as the patched UDP transport calls it
// (in-process, precise per-input time). sip-stack: datagrams sent over loopback to a running SipStack
// (our wrapper: package parser, transaction layer, fromPackage checks, our handler); the stack must
// answer a probe OPTIONS after every input and the process must never see an uncaught exception.
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import * as sip from 'sip';
import { contactsOf, createResponse, headerText, routeUri } from '../../../src-main/sip/sip-headers';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import { createSipStack, type SipStack } from '../../../src-main/sip/sip-stack.node';
import type { Logger } from '../../../src-main/util/logger';
import { check, FuzzInvariantError, utf8, type FuzzTarget } from '../target';
import { SIP_SEEDS } from './sip-seeds';

/** RFC 3261 §18.1.1: UDP datagrams up to the path MTU; 64 KB is the most a UDP socket delivers. */
const SIP_MAX = 65_507;

/** The package's checkMessage (sip.js), which the UDP transport applies before anything else sees a message. */
function passesPackageCheck(m: sip.Message): boolean {
  const h = m.headers;
  return !!(
    (m.method || (typeof m.status === 'number' && m.status >= 100 && m.status <= 999)) &&
    h &&
    Array.isArray(h.via) &&
    h.via.length > 0 &&
    h['call-id'] &&
    h.to &&
    h.from &&
    h.cseq
  );
}

export const sipParseTarget: FuzzTarget = {
  name: 'sip-parse',
  description: "the sip package's parse(), as its patched UDP transport calls it (a throw there is caught and the datagram reported)",
  seeds: () => SIP_SEEDS.map((s) => utf8.encode(s)),
  text: true,
  maxBytes: SIP_MAX,
  run(input) {
    let m: sip.Message | undefined;
    try {
      m = sip.parse(Buffer.from(input)) as sip.Message | undefined;
    } catch {
      return; // the transport catches parse errors: "malformed SIP datagram"
    }
    if (!m) return;
    check(typeof m.headers === 'object' && m.headers !== null, 'parsed message without headers');
    if (!passesPackageCheck(m)) return;
    // The stack traces every message it receives by stringifying it (guarded), and answers requests.
    try {
      sip.stringify(m);
    } catch {
      // trace() falls back to the summary line
    }
  },
};

/** Our side of the stack while fuzzing: answer like a busy phone, using the helpers the UA uses. */
function answer(stack: SipStack, req: SipRequest): void {
  contactsOf(req);
  headerText(req, 'content-type');
  const rr = req.headers['record-route'];
  if (Array.isArray(rr)) for (const entry of rr) routeUri(entry);
  if (req.method === 'ACK') return;
  stack.sendResponse(createResponse(req, req.method === 'INVITE' ? 486 : 200, { toTag: 'fuzz' }));
}

interface StackRig {
  stack: SipStack;
  client: dgram.Socket;
  port: number;
  probes: number;
  uncaught: Error[];
  onUncaught: (err: Error) => void;
}

let rig: StackRig | null = null;

const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLogger };

/** Waits for the 200 to our probe OPTIONS (its Call-ID), ignoring the answers to fuzz inputs. */
function awaitProbe(client: dgram.Socket, callId: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      resolve(false);
    }, ms);
    function onMessage(data: Buffer): void {
      if (!data.toString('latin1').includes(callId)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(true);
    }
    client.on('message', onMessage);
  });
}

export const sipStackTarget: FuzzTarget = {
  name: 'sip-stack',
  description: 'datagrams over loopback into a running SipStack (sip-stack.node.ts): it must answer a probe after each one, with no uncaught exception',
  seeds: () => SIP_SEEDS.map((s) => utf8.encode(s)),
  text: true,
  maxBytes: SIP_MAX,
  async: true,
  async setup() {
    const stack = createSipStack({ bindAddress: '127.0.0.1', port: 0, logger: silentLogger });
    stack.setHandlers({ request: (req) => answer(stack, req), trace: () => {}, warning: () => {} });
    const bound = await stack.start();
    const client = dgram.createSocket('udp4');
    client.bind(0, '127.0.0.1');
    await once(client, 'listening');
    const uncaught: Error[] = [];
    const onUncaught = (err: Error): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', onUncaught);
    rig = { stack, client, port: bound.port, probes: 0, uncaught, onUncaught };
  },
  async teardown() {
    if (!rig) return;
    process.off('uncaughtException', rig.onUncaught);
    rig.client.close();
    await rig.stack.stop();
    rig = null;
  },
  async run(input) {
    const r = rig;
    if (!r) throw new Error('sip-stack target not set up');
    const callId = `fuzz-probe-${++r.probes}@127.0.0.1`;
    const { port } = r.client.address();
    const probe = [
      'OPTIONS sip:probe@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKprobe${r.probes};rport`,
      'Max-Forwards: 70',
      'From: <sip:fuzz@127.0.0.1>;tag=p',
      'To: <sip:probe@127.0.0.1>',
      `Call-ID: ${callId}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const answered = awaitProbe(r.client, callId, 5000);
    if (input.length > 0) r.client.send(input, r.port, '127.0.0.1');
    r.client.send(probe, r.port, '127.0.0.1');
    const ok = await answered;
    if (r.uncaught.length > 0) {
      const err = r.uncaught.shift() as Error;
      r.uncaught.length = 0;
      throw err;
    }
    if (!ok) throw new FuzzInvariantError('the SIP stack stopped answering (no 200 to the probe OPTIONS within 5 s)');
  },
};

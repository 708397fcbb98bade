// Packet capture with tshark on loopback: the bench and tests time SIP and RTP by when packets hit the
// wire (kernel timestamps), not by what the process under test says about itself.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Capture {
  file: string;
  stop(): Promise<string>;
}

/** Starts tshark on `iface` with a BPF filter; resolves once tshark reports the capture started. */
export async function startCapture(filter: string, iface = 'lo'): Promise<Capture> {
  const file = join(mkdtempSync(join(tmpdir(), 'cap-')), 'capture.pcapng');
  const proc = spawn('tshark', ['-i', iface, '-f', filter, '-w', file, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`tshark did not start: ${err}`)), 15_000);
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capture started') || err.includes('Capturing on')) {
        clearTimeout(timer);
        // "Capturing on" comes just before the ring buffer is live; give it one more message.
        if (err.includes('Capture started')) resolve();
        else setTimeout(resolve, 300);
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited ${code}: ${err}`));
    });
  });
  return {
    file,
    stop: () =>
      new Promise<string>((resolve) => {
        proc.removeAllListeners('exit');
        proc.on('exit', () => resolve(file));
        proc.kill('SIGINT');
      }),
  };
}

export interface PacketTime {
  time: number; // seconds since epoch, kernel capture time
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** SIP method or status line summary, when the packet is SIP. */
  sip?: string;
  length: number;
}

/** All UDP packets of a capture with their times; SIP packets carry their method / status code. */
export async function readUdpPackets(file: string, sipPorts: number[] = []): Promise<PacketTime[]> {
  const decode = sipPorts.flatMap((p) => ['-d', `udp.port==${p},sip`]);
  const { stdout } = await run(
    'tshark',
    ['-r', file, ...decode, '-T', 'fields', '-E', 'separator=\t', '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'udp.srcport',
      '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'udp.length', 'udp'],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [time, src, srcPort, dst, dstPort, method, status, length] = line.split('\t');
      const sip = method || status || undefined;
      return { time: Number(time), src: src ?? '', srcPort: Number(srcPort), dst: dst ?? '', dstPort: Number(dstPort), sip, length: Number(length) };
    });
}

export interface IntervalStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Deviation of inter-packet intervals from the nominal ptime, in ms (|Δt - ptime|). */
export function intervalDeviation(times: number[], ptimeMs = 20): IntervalStats {
  const dev: number[] = [];
  for (let i = 1; i < times.length; i++) dev.push(Math.abs(((times[i] ?? 0) - (times[i - 1] ?? 0)) * 1000 - ptimeMs));
  dev.sort((a, b) => a - b);
  const at = (q: number) => dev[Math.min(dev.length - 1, Math.floor(dev.length * q))] ?? 0;
  return { count: dev.length, p50: at(0.5), p99: at(0.99), max: dev[dev.length - 1] ?? 0 };
}

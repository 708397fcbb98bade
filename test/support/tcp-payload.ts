// The TCP payload bytes of a tshark capture (test/support/capture.ts), in capture order: what a passive
// observer of the connection sees.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function readTcpPayload(file: string): Promise<Buffer> {
  const { stdout } = await run('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.payload', 'tcp.len > 0'], { maxBuffer: 256 * 1024 * 1024 });
  const parts = stdout
    .split('\n')
    .map((l) => l.trim().replace(/[:,]/g, ''))
    .filter((l) => l !== '');
  return Buffer.concat(parts.map((hex) => Buffer.from(hex, 'hex')));
}

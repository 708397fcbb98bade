// Checks the --play, --record and --ca-file files before any socket is opened, so a typo or a file that
// is not a WAV (or holds no certificate) is a usage error (exit 2) that says what was found, not a call
// that silently sends nothing.
import { accessSync, closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseWavHeader } from '../audio/wav';
import { pemCertificates } from '../sip/transport/tls-trust.node';
import type { CommonArgs } from './cli-args';

/** Enough to reach the data chunk of any ordinary WAV (fmt, LIST, bext and friends come first). */
const HEAD_BYTES = 1 << 20;

/** Null when the files can be used; else the problem, naming the flag and the file. */
export function checkFiles(args: Pick<CommonArgs, 'play' | 'record'> & { caFile?: string; recordCalls?: string }): string | null {
  if (args.recordCalls !== undefined) {
    try {
      if (!statSync(args.recordCalls).isDirectory()) return `--record-calls ${args.recordCalls}: not a directory`;
      accessSync(args.recordCalls, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return `--record-calls ${args.recordCalls}: ${code === 'ENOENT' ? 'no such directory' : 'cannot write into it'}`;
    }
  }
  if (args.caFile !== undefined) {
    try {
      if (pemCertificates(readFileSync(args.caFile, 'latin1')).length === 0) return `--ca-file ${args.caFile}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return `--ca-file ${args.caFile}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`}`;
    }
  }
  if (args.play !== undefined) {
    const problem = playProblem(args.play);
    if (problem) return `--play ${args.play}: ${problem}`;
  }
  if (args.record !== undefined) {
    const dir = dirname(resolve(args.record));
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      return `--record: cannot write into ${dir}`;
    }
  }
  return null;
}

function playProblem(path: string): string | null {
  let head: Buffer;
  let size: number;
  try {
    accessSync(path, constants.R_OK);
    const st = statSync(path);
    if (!st.isFile()) return 'not a file';
    size = st.size;
    const fd = openSync(path, 'r');
    try {
      head = Buffer.alloc(Math.min(size, HEAD_BYTES));
      const n = readSync(fd, head, 0, head.length, 0);
      head = head.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'cannot read it (permission denied)';
    return `cannot read it (${code ?? (err as Error).message})`;
  }
  try {
    parseWavHeader(new Uint8Array(head.buffer, head.byteOffset, head.length), size);
    return null;
  } catch (err) {
    const message = (err as Error).message;
    // A chunk we did not reach in the first megabyte may still be there: the player reads it all.
    if (size > head.length && /no (fmt|data) chunk/.test(message)) return null;
    return /RIFF\/WAVE/.test(message) ? `${message} (${describeStart(head)})` : message;
  }
}

/** What the file starts with, for the error message: its first bytes as text, or in hex if binary. */
export function describeStart(head: Uint8Array): string {
  if (head.length === 0) return 'the file is empty';
  const bytes = head.subarray(0, 16);
  const printable = [...bytes].every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f));
  if (printable) return `it starts with ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}`;
  return `it starts with bytes ${[...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

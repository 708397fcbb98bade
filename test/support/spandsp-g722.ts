// A reference G.722 for tests: spandsp's encoder and decoder (the library baresip's g722 module uses),
// driven by a ten-line C program compiled on first use. Not product code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LIB_CANDIDATES = ['/lib/x86_64-linux-gnu/libspandsp.so.2', '/usr/lib/x86_64-linux-gnu/libspandsp.so.2', '/usr/lib/aarch64-linux-gnu/libspandsp.so.2'];

const HARNESS = `#include <stdio.h>
#include <stdint.h>
typedef struct g722_encode_state_s g722_encode_state_t;
typedef struct g722_decode_state_s g722_decode_state_t;
g722_encode_state_t *g722_encode_init(g722_encode_state_t *s, int rate, int options);
int g722_encode(g722_encode_state_t *s, uint8_t g722_data[], const int16_t amp[], int len);
g722_decode_state_t *g722_decode_init(g722_decode_state_t *s, int rate, int options);
int g722_decode(g722_decode_state_t *s, int16_t amp[], const uint8_t g722_data[], int len);
static int16_t in[1 << 22]; static uint8_t enc[1 << 21]; static int16_t out[1 << 22];
int main(void) {
  size_t n = fread(in, 2, sizeof(in) / 2, stdin);
  int m = g722_encode(g722_encode_init(NULL, 64000, 0), enc, in, (int)n);
  int k = g722_decode(g722_decode_init(NULL, 64000, 0), out, enc, m);
  fwrite(enc, 1, m, stdout); fwrite(out, 2, k, stdout);
  return 0;
}
`;

let built: string | null = null;

/** Why the reference cannot run here, or null. */
export function spandspMissing(): string | null {
  if (!LIB_CANDIDATES.some((p) => existsSync(p))) return 'libspandsp.so.2 not found (it comes with baresip)';
  if (spawnSync('gcc', ['--version']).status !== 0) return 'gcc is not installed';
  return null;
}

function harness(): string {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'spandsp-g722-'));
  writeFileSync(join(dir, 'h.c'), HARNESS);
  const lib = LIB_CANDIDATES.find((p) => existsSync(p)) as string;
  const r = spawnSync('gcc', ['-O1', '-o', join(dir, 'h'), join(dir, 'h.c'), lib], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the spandsp harness failed: ${r.stderr}`);
  built = join(dir, 'h');
  return built;
}

/** spandsp's G.722 (64 kbit/s) of 16 kHz samples: the octets, and those octets decoded again. */
export function spandspG722(pcm: Int16Array): { encoded: Uint8Array; decoded: Int16Array } {
  const r = spawnSync(harness(), [], { input: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength), maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`spandsp harness failed: ${String(r.stderr)}`);
  const octets = pcm.length >> 1;
  const out = new Uint8Array(r.stdout);
  const decoded = new Int16Array(octets * 2);
  for (let i = 0; i < decoded.length; i++) decoded[i] = (out[octets + 2 * i] as number) | ((out[octets + 2 * i + 1] as number) << 8);
  return { encoded: out.slice(0, octets), decoded: decoded.map((v) => (v << 16) >> 16) };
}

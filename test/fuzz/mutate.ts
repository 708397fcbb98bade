// Inputs for the fuzz targets: fast-check arbitraries that take a valid seed input and apply a few
// byte- and text-level mutations (AFL/libFuzzer style), so fast-check can also shrink what it finds.
import fc from 'fast-check';

export type Mutation = (input: Uint8Array, seeds: readonly Uint8Array[]) => Uint8Array;

/** Bytes that parsers branch on: NUL, CR/LF, space, quotes, brackets, separators, escapes, the high bit. */
const INTERESTING_BYTES = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x2c, 0x2d, 0x2e, 0x30, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x40, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xc3, 0xfe, 0xff];

/** Tokens that break text parsers: numbers at the edges, quoting, SIP/SDP/JSON punctuation. */
const INTERESTING_TEXT = [
  '-1', '0', '65536', '4294967296', '99999999999999999999', '1e309', 'NaN', '-0', '0x10', '015',
  '"', '""', '\\"', '<', '>', '<>', '%', '%00', '%47', '\\', '\r\n', '\r\n\r\n', '\n', '\r', ' ', '\t',
  ';', ';;', ',', ':', '::', '=', '==', '@', '[', ']', '[::1]', '{', '}', '[]', '{}', 'null', 'true',
  '\u0000', '\u00ff', 'é', '\ud83d\ude00', 'sip:', 'sips:', 'tel:', 'SIP/7.0', 'SIP/2.0', 'a=', 'm=', 'c=',
  'Content-Length: ', 'Via: ', '__proto__', 'constructor', 'toString',
];

const enc = new TextEncoder();

/** Mutations that repeat a chunk stop growing the input here (inputs are cut to the target's cap after). */
const MAX_GROWN = 1 << 17;

function repeat(chunk: Uint8Array, times: number): Uint8Array[] {
  const n = chunk.length === 0 ? 0 : Math.min(times, Math.floor(MAX_GROWN / chunk.length));
  return Array.from({ length: n }, () => chunk);
}

function clampPos(pos: number, length: number): number {
  return length === 0 ? 0 : pos % (length + 1);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function insertAt(input: Uint8Array, pos: number, bytes: Uint8Array): Uint8Array {
  const at = clampPos(pos, input.length);
  return concat(input.subarray(0, at), bytes, input.subarray(at));
}

/** Byte offsets of each line start (after \n), for line-level mutations of text formats. */
function lineStarts(input: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < input.length; i++) if (input[i] === 0x0a && i + 1 < input.length) starts.push(i + 1);
  return starts;
}

function lineRange(input: Uint8Array, index: number): [number, number] {
  const starts = lineStarts(input);
  const i = index % starts.length;
  const start = starts[i] as number;
  const end = i + 1 < starts.length ? (starts[i + 1] as number) : input.length;
  return [start, end];
}

/** Offsets of runs of ASCII digits, to swap a number for an edge value. */
function numberRuns(input: Uint8Array): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let i = 0;
  while (i < input.length) {
    if ((input[i] as number) >= 0x30 && (input[i] as number) <= 0x39) {
      const s = i;
      while (i < input.length && (input[i] as number) >= 0x30 && (input[i] as number) <= 0x39) i++;
      runs.push([s, i]);
    } else i++;
  }
  return runs;
}

const pos = fc.nat({ max: 1 << 20 });

const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  // flip one bit
  fc.tuple(pos, fc.integer({ min: 0, max: 7 })).map(([p, bit]): Mutation => (input) => {
    if (input.length === 0) return input;
    const out = input.slice();
    const at = p % out.length;
    out[at] = (out[at] as number) ^ (1 << bit);
    return out;
  }),
  // set a byte to an interesting or random value
  fc.tuple(pos, fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 }))).map(([p, v]): Mutation => (input) => {
    if (input.length === 0) return Uint8Array.of(v);
    const out = input.slice();
    out[p % out.length] = v;
    return out;
  }),
  // insert random bytes
  fc.tuple(pos, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([p, bytes]): Mutation => (input) => insertAt(input, p, bytes)),
  // delete a range
  fc.tuple(pos, fc.integer({ min: 1, max: 64 })).map(([p, n]): Mutation => (input) => {
    const at = clampPos(p, input.length);
    return concat(input.subarray(0, at), input.subarray(at + n));
  }),
  // truncate
  pos.map((p): Mutation => (input) => input.subarray(0, clampPos(p, input.length))),
  // repeat a chunk many times (finds super-linear parsing)
  fc.tuple(pos, fc.integer({ min: 1, max: 64 }), fc.integer({ min: 2, max: 400 })).map(([p, n, times]): Mutation => (input) => {
    const at = clampPos(p, input.length);
    const chunk = input.subarray(at, at + n);
    return concat(input.subarray(0, at), ...repeat(chunk, times), input.subarray(at + n));
  }),
  // splice in a piece of another seed
  fc.tuple(pos, pos, fc.integer({ min: 1, max: 128 }), fc.nat()).map(([p, from, n, which]): Mutation => (input, seeds) => {
    const other = seeds[which % seeds.length] ?? input;
    const at = clampPos(from, other.length);
    return insertAt(input, p, other.subarray(at, at + n));
  }),
);

const textMutation: fc.Arbitrary<Mutation> = fc.oneof(
  // insert a troublesome token
  fc.tuple(pos, fc.constantFrom(...INTERESTING_TEXT)).map(([p, t]): Mutation => (input) => insertAt(input, p, enc.encode(t))),
  // replace a number with an edge value
  fc.tuple(fc.nat(), fc.constantFrom(...INTERESTING_TEXT.slice(0, 10))).map(([k, t]): Mutation => (input) => {
    const runs = numberRuns(input);
    if (runs.length === 0) return input;
    const [s, e] = runs[k % runs.length] as [number, number];
    return concat(input.subarray(0, s), enc.encode(t), input.subarray(e));
  }),
  // delete a line
  fc.nat().map((k): Mutation => (input) => {
    const [s, e] = lineRange(input, k);
    return concat(input.subarray(0, s), input.subarray(e));
  }),
  // duplicate a line (many times: header-count and Record-Route style floods)
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 300 })).map(([k, times]): Mutation => (input) => {
    const [s, e] = lineRange(input, k);
    const line = input.subarray(s, e);
    return concat(input.subarray(0, e), ...repeat(line, times), input.subarray(e));
  }),
  // swap two lines
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (input) => {
    const [s1, e1] = lineRange(input, a);
    const [s2, e2] = lineRange(input, b);
    if (s1 === s2) return input;
    const [x, y] = s1 < s2 ? [[s1, e1], [s2, e2]] : [[s2, e2], [s1, e1]];
    if ((x[1] as number) > (y[0] as number)) return input;
    return concat(input.subarray(0, x[0]), input.subarray(y[0], y[1]), input.subarray(x[1], y[0]), input.subarray(x[0], x[1]), input.subarray(y[1]));
  }),
);

export interface InputOptions {
  seeds: readonly Uint8Array[];
  /** Text formats also get line/number/token mutations. */
  text: boolean;
  /** Inputs are cut to this size (a datagram's or a file's cap). */
  maxBytes: number;
  /** Most mutations stacked on one seed. */
  maxMutations?: number;
}

/** A seed with 1..n mutations (90 %), or raw random bytes (10 %). */
export function mutatedInputs(o: InputOptions): fc.Arbitrary<Uint8Array> {
  if (o.seeds.length === 0) throw new Error('a fuzz target needs at least one seed');
  const mutation = o.text ? fc.oneof({ arbitrary: byteMutation, weight: 1 }, { arbitrary: textMutation, weight: 2 }) : byteMutation;
  const mutated = fc
    .tuple(fc.nat({ max: o.seeds.length - 1 }), fc.array(mutation, { minLength: 0, maxLength: o.maxMutations ?? 6 }))
    .map(([which, steps]) => {
      let input = o.seeds[which] as Uint8Array;
      for (const step of steps) {
        input = step(input, o.seeds);
        if (input.length > MAX_GROWN) input = input.subarray(0, MAX_GROWN);
      }
      return input.length > o.maxBytes ? input.subarray(0, o.maxBytes) : input;
    });
  return fc.oneof({ arbitrary: mutated, weight: 9 }, { arbitrary: fc.uint8Array({ maxLength: Math.min(o.maxBytes, 2048) }), weight: 1 });
}

// What a fuzz target is: seeds (valid inputs to mutate), a size cap, and run(), which feeds one input
// through the product code and throws FuzzInvariantError when the output is not well-formed.

export interface FuzzTarget {
  name: string;
  /** What is fed, and through which product code. */
  description: string;
  /** Valid inputs the mutator starts from (built with the product's own encoders where possible). */
  seeds(): Uint8Array[];
  /** Text formats also get line/number/token mutations. */
  text: boolean;
  /** A datagram's or a file's cap: no input is longer. */
  maxBytes: number;
  /** Throws on a crash (any error the parser does not document) or a broken invariant. */
  run(input: Uint8Array): void | Promise<void>;
  /** run() returns a promise (socket targets): inputs are fed one at a time and awaited. */
  async?: boolean;
  /** For targets with sockets (started once per run). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

/** The output broke the target's invariant (not a crash of the parser, but a wrong result). */
export class FuzzInvariantError extends Error {
  override name = 'FuzzInvariantError';
}

export function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new FuzzInvariantError(what);
}

export const utf8 = new TextEncoder();
export const text = (bytes: Uint8Array): string => new TextDecoder('utf-8').decode(bytes);
export const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

export function isInt(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** The repository's root, from here or from the bundled dist/fuzz.js (both lie under it). */
export function repoRoot(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dirname, join } = require('node:path') as typeof import('node:path');
  let dir = __dirname;
  while (!existsSync(join(dir, 'test', 'fixtures')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

// Small checks for command-line flag values, in the shape zod's safeParse gave cli-args.ts (zod itself
// was 750 KB of the CLI bundle and ~12 MB of its resident memory, for a dozen regexes). Pure.

export type CheckResult<T> = { ok: true; value: T } | { ok: false; message: string };
/** Validates one flag's raw value (a string, or true for a boolean flag). */
export type Check<T> = (raw: string | boolean) => CheckResult<T>;
/** A rule: the test a value must pass and the message when it does not. */
export type Rule<T> = readonly [test: (value: T) => boolean, message: string];

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** A string flag that passes every rule; the first one it breaks gives the message. */
export function text(...rules: ReadonlyArray<Rule<string>>): Check<string> {
  return (raw) => {
    if (typeof raw !== 'string') return fail('needs a value');
    for (const [test, message] of rules) if (!test(raw)) return fail(message);
    return { ok: true, value: raw };
  };
}

/** A string flag turned into something else by `convert` once `check` passed, then held to `rules`. */
export function converted<T, U>(check: Check<T>, convert: (value: T) => U, ...rules: ReadonlyArray<Rule<U>>): Check<U> {
  return (raw) => {
    const r = check(raw);
    if (!r.ok) return r;
    const value = convert(r.value);
    for (const [test, message] of rules) if (!test(value)) return fail(message);
    return { ok: true, value };
  };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(values: readonly T[], message: string): Check<T> {
  return (raw) => (typeof raw === 'string' && (values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : fail(message));
}

/** A flag without a value (the tokenizer gives `true`). */
export const flag: Check<boolean> = (raw) => (typeof raw === 'boolean' ? { ok: true, value: raw } : fail('takes no value'));

export const maxLength = (n: number, what: string): Rule<string> => [(s) => s.length <= n, `${what} is too long (at most ${n} characters)`];
export const minLength = (n: number, message: string): Rule<string> => [(s) => s.length >= n, message];
export const matches = (re: RegExp, message: string): Rule<string> => [(s) => re.test(s), message];

type Value<C> = C extends Check<infer T> ? T : never;
export type Parsed<S> = { [K in keyof S]?: Value<S[K]> };
export type FlagIssue = { path: string[]; message: string };
export type ParseFlagsResult<S> = { success: true; data: Parsed<S> } | { success: false; error: { issues: FlagIssue[] } };

/**
 * Checks the given flags against `schema` (in the schema's order, so the first issue is the first
 * flag there that is wrong). Flags the schema does not know are left out of `data`.
 */
export function parseFlags<S extends Record<string, Check<unknown>>>(schema: S, raw: Readonly<Record<string, string | boolean>>): ParseFlagsResult<S> {
  const data: Record<string, unknown> = {};
  const issues: FlagIssue[] = [];
  for (const name of Object.keys(schema)) {
    const value = raw[name];
    if (value === undefined) continue;
    const r = (schema[name] as Check<unknown>)(value);
    if (r.ok) data[name] = r.value;
    else issues.push({ path: [name], message: r.message });
  }
  return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: data as Parsed<S> };
}

const shown = (raw: string) => (/^-?\d+(\.\d+)?$/.test(raw) ? raw : JSON.stringify(raw.slice(0, 40)));

/**
 * A whole number in [min, max]. The message names the range and what was given ("--port must be
 * between 1 and 65535, got -1"), so a negative number is not mistaken for "not a number".
 * `range` overrides how the range is described (e.g. to mention a special value such as 0).
 */
export function wholeNumber(what: string, min: number, max: number, range = `between ${min} and ${max}`): Check<number> {
  return (raw) => {
    if (typeof raw !== 'string') return fail('needs a value');
    if (!/^-?\d+$/.test(raw)) return fail(`${what} must be a whole number ${range}, got ${shown(raw)}`);
    const n = Number(raw);
    return n >= min && n <= max ? { ok: true, value: n } : fail(`${what} must be ${range}, got ${raw}`);
  };
}

/** A number of seconds in [min, max] (decimals allowed; no exponent, sign or hex). */
export function secondsBetween(what: string, min: number, max: number): Check<number> {
  return (raw) => {
    if (typeof raw !== 'string') return fail('needs a value');
    if (!/^-?\d+(\.\d+)?$/.test(raw)) return fail(`${what} must be a number of seconds, got ${shown(raw)}`);
    const n = Number(raw);
    return n >= min && n <= max ? { ok: true, value: n } : fail(`${what} must be between ${min} and ${max} seconds, got ${raw}`);
  };
}

/** Levenshtein distance (insert, delete, substitute; an adjacent swap counts 1, as typos go). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known word closest to `typed`, if it is close enough to be a typo: at most 1 edit for short
 * words, 2 from 5 letters on (so "--prot" finds "--port" but "--x" suggests nothing). Ties go to the
 * earlier candidate. A candidate that starts with what was typed (an abbreviation) also counts.
 */
export function closestMatch(typed: string, candidates: readonly string[]): string | undefined {
  const t = typed.toLowerCase();
  let best: { word: string; distance: number } | undefined;
  for (const word of candidates) {
    const distance = editDistance(t, word.toLowerCase());
    if (!best || distance < best.distance) best = { word, distance };
  }
  const limit = t.length >= 5 ? 2 : 1;
  if (best && best.distance <= limit && best.distance < t.length) return best.word;
  if (t.length >= 3) return candidates.find((c) => c.toLowerCase().startsWith(t));
  return undefined;
}

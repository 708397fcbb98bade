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

// The hand-written flag checks that replaced zod in the CLI: values converted, the first broken rule
// reported, problems reported in schema order.
import { describe, expect, it } from 'vitest';
import { converted, flag, matches, maxLength, minLength, oneOf, parseFlags, text } from '../../../src-main/cli/flag-checks';

const port = converted(
  text(matches(/^\d+$/, '--port must be a whole number')),
  (s) => Number(s),
  [(n) => n <= 65535, '--port must be at most 65535'],
);
const schema = {
  name: text(minLength(1, '--name must not be empty'), maxLength(4, '--name'), matches(/^[a-z]+$/, '--name: letters only')),
  port,
  mode: oneOf(['a', 'b'], '--mode must be a or b'),
  quiet: flag,
};

describe('parseFlags', () => {
  it('converts values and leaves absent flags out', () => {
    const r = parseFlags(schema, { port: '5060', quiet: true });
    expect(r).toEqual({ success: true, data: { port: 5060, quiet: true } });
  });

  it('reports the first rule a value breaks', () => {
    const r = parseFlags(schema, { name: 'ab1' });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues).toEqual([{ path: ['name'], message: '--name: letters only' }]);
    const long = parseFlags(schema, { name: 'abcdef1' });
    if (!long.success) expect(long.error.issues[0]?.message).toBe('--name is too long (at most 4 characters)');
    const empty = parseFlags(schema, { name: '' });
    if (!empty.success) expect(empty.error.issues[0]?.message).toBe('--name must not be empty');
  });

  it('checks converted values and lists problems in schema order', () => {
    const r = parseFlags(schema, { mode: 'c', port: '70000', name: 'ok' });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues.map((i) => i.path[0])).toEqual(['port', 'mode']);
  });

  it('rejects a value for a boolean flag and no value for a string one', () => {
    expect(parseFlags(schema, { quiet: 'yes' }).success).toBe(false);
    expect(parseFlags(schema, { name: true }).success).toBe(false);
  });
});

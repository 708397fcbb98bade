// Issue 11: the CLI runs one account (its flags), so call.dial on its control channel refuses an
// accountId rather than dialling through the only account while the script believes it chose another.
import { describe, expect, it } from 'vitest';
import { dialHandler } from '../../../src-main/cli/extra-calls';
import type { UserAgent } from '../../../src-main/sip/user-agent-api';

describe('CLI call.dial and accountId', () => {
  it('refuses an accountId and places no call', async () => {
    let dialled = 0;
    const ua = { call: () => (dialled++, null) } as unknown as UserAgent;
    const handler = dialHandler(() => ua, {} as never, {} as never);
    await expect(handler({ target: 'sip:bob@example.com', accountId: 'account-2' })).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringContaining('one account') });
    expect(dialled).toBe(0);
  });
});

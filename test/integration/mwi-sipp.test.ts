// Issue 11: the user agent's message-waiting subscription against SIPp as the voicemail server (not our own
// code on the other side): SIPp checks the SUBSCRIBE's Event and Accept, sends a message-summary NOTIFY in
// the new dialog whose counts we read, and checks the un-SUBSCRIBE (Expires: 0, same dialog) at shutdown.
// Signalling only.
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessageSummary } from '../../src-main/sip/message-summary';
import type { SubscriptionUpdate } from '../../src-main/sip/subscription';
import type { UserAgent } from '../../src-main/sip/user-agent-api';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { sippMissing, startSippServer, type SippServer } from '../support/sipp';

const skip = skipWithoutRealPeer('SIPp MWI notifier', sippMissing());

describe.skipIf(skip)('message-waiting against SIPp', () => {
  let sipp: SippServer | null = null;
  let ua: UserAgent | null = null;
  afterEach(async () => {
    await ua?.shutdown().catch(() => {});
    sipp?.kill();
  });

  it('reads the counts of SIPp\'s NOTIFY and ends the subscription with Expires: 0 at shutdown', async () => {
    sipp = await startSippServer('mwi-notifier.xml', [], 30);
    ua = createUserAgent({
      bindAddress: '127.0.0.1',
      port: 0,
      userAgentName: 'mwi-test',
      createMedia: () => {
        throw new Error('no media in this test');
      },
    });
    await ua.start();
    const updates: SubscriptionUpdate[] = [];
    const withBody = new Promise<SubscriptionUpdate>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no NOTIFY body; updates ${JSON.stringify(updates)}`)), 10_000);
      ua?.on('subscription', (u) => {
        updates.push(u);
        if (u.body) {
          clearTimeout(timer);
          resolve(u);
        }
      });
    });
    const started = ua.subscribe?.({ target: `sip:alice@127.0.0.1:${sipp.port}`, event: 'message-summary' });
    expect(started).toEqual({ id: 'sub-1' });
    const update = await withBody;
    expect(update).toMatchObject({ id: 'sub-1', event: 'message-summary', state: 'active', body: { contentType: 'application/simple-message-summary' } });
    expect(parseMessageSummary(update.body?.text ?? '')).toEqual({
      waiting: true,
      account: 'sip:alice@127.0.0.1',
      counts: { voice: { new: 3, old: 5, urgentNew: 1, urgentOld: 0 } },
    });
    await ua.shutdown();
    ua = null;
    const result = await sipp.done;
    expect(result.errors).toBe('');
    expect(result.code).toBe(0);
  });
});

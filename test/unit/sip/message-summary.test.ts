// RFC 3842 §5.2 message-summary bodies and RFC 6665 Event / Subscription-State headers, parsed from
// hostile input: the RFC's own examples, odd spacing, unknown lines, oversize and nonsense.
import { describe, expect, it } from 'vitest';
import { parseEventHeader, parseSubscriptionState, refreshDelayMs } from '../../../src-main/sip/event-headers';
import { parseMessageSummary } from '../../../src-main/sip/message-summary';

describe('parseMessageSummary', () => {
  it('reads the RFC 3842 §5.2 example', () => {
    const body = 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 2/8 (0/2)\r\n\r\n';
    expect(parseMessageSummary(body)).toEqual({
      waiting: true,
      account: 'sip:alice@vmail.example.com',
      counts: { voice: { new: 2, old: 8, urgentNew: 0, urgentOld: 2 } },
    });
  });

  it('takes LF lines, any case, no urgent part, other classes, and ignores the rest', () => {
    const body = 'messages-waiting:NO\nvoice-message:0/3\nFax-Message: 1/0 (1/0)\nX-Junk: 1/2\nVideo-Message: 9/9\nTo: <sip:x>\n';
    expect(parseMessageSummary(body)).toEqual({
      waiting: false,
      counts: { voice: { new: 0, old: 3, urgentNew: 0, urgentOld: 0 }, fax: { new: 1, old: 0, urgentNew: 1, urgentOld: 0 } },
    });
  });

  it('refuses a body without Messages-Waiting or over the size cap; bad counts are dropped', () => {
    expect(parseMessageSummary('Voice-Message: 2/8\r\n')).toBeNull();
    expect(parseMessageSummary('Messages-Waiting: maybe\r\n')).toBeNull();
    expect(parseMessageSummary(`Messages-Waiting: yes\r\n${'X: y\r\n'.repeat(3000)}`)).toBeNull();
    expect(parseMessageSummary('Messages-Waiting: yes\r\nVoice-Message: -1/9999999999\r\nMessage-Account: javascript:alert(1)\r\n')).toEqual({ waiting: true, counts: {} });
  });
});

describe('event headers', () => {
  it('Event: package and id', () => {
    expect(parseEventHeader('Presence;id=7')).toEqual({ package: 'presence', id: '7' });
    expect(parseEventHeader(' message-summary ')).toEqual({ package: 'message-summary' });
    expect(parseEventHeader('bad package')).toBeNull();
    expect(parseEventHeader(undefined)).toBeNull();
  });

  it('Subscription-State: state, expires, reason, retry-after', () => {
    expect(parseSubscriptionState('active;expires=3599')).toEqual({ state: 'active', expires: 3599 });
    expect(parseSubscriptionState('pending')).toEqual({ state: 'pending' });
    expect(parseSubscriptionState('terminated;reason=probation;retry-after=30')).toEqual({ state: 'terminated', reason: 'probation', retryAfter: 30 });
    expect(parseSubscriptionState('active;expires=-5')).toEqual({ state: 'active' });
    expect(parseSubscriptionState('')).toBeNull();
  });

  it('refreshes 32 s early for long subscriptions, half-way for short ones', () => {
    expect(refreshDelayMs(3600)).toBe(3568_000);
    expect(refreshDelayMs(60)).toBe(30_000);
    expect(refreshDelayMs(1)).toBe(1000);
  });
});

// The pure pieces of transfer (issue 11): sipfrag bodies and Subscription-State (RFC 3515, RFC 6665),
// the Replaces header (RFC 3891) and the Refer-To we send and accept.
import { describe, expect, it } from 'vitest';
import { buildSipfrag, eventPackage, isSipfrag, parseSipfrag, parseSubscriptionState } from '../../../src-main/sip/sipfrag';
import { matchReplaces, parseReplaces, replacesFor } from '../../../src-main/sip/replaces';
import { judgeReferTo, referToUri } from '../../../src-main/sip/refer';
import { referredInviteHeaders } from '../../../src-main/sip/transfer-host';

describe('message/sipfrag (RFC 3420, RFC 3515 §2.4.5)', () => {
  it('reads the status line of a sipfrag, with or without more of the message after it', () => {
    expect(parseSipfrag('SIP/2.0 100 Trying\r\n')).toEqual({ status: 100, reason: 'Trying' });
    expect(parseSipfrag('SIP/2.0 200 OK\r\nContact: <sip:c@192.0.2.3>\r\n\r\n')).toEqual({ status: 200, reason: 'OK' });
    expect(parseSipfrag('\r\nSIP/2.0 486 Busy Here')).toEqual({ status: 486, reason: 'Busy Here' });
    expect(parseSipfrag('SIP/2.0 603')).toEqual({ status: 603, reason: '' });
  });

  it('refuses what is not a status line: a request line, a bad code, an over-long line, nothing', () => {
    expect(parseSipfrag('INVITE sip:c@192.0.2.3 SIP/2.0\r\n')).toBeNull();
    expect(parseSipfrag('SIP/2.0 99 Odd\r\n')).toBeNull();
    expect(parseSipfrag('SIP/2.0 700 Odd\r\n')).toBeNull();
    expect(parseSipfrag(`SIP/2.0 200 ${'x'.repeat(300)}`)).toBeNull();
    expect(parseSipfrag(undefined)).toBeNull();
    expect(parseSipfrag('')).toBeNull();
  });

  it('writes one status line, without a CR/LF smuggled in through the reason', () => {
    expect(buildSipfrag(100, 'Trying')).toBe('SIP/2.0 100 Trying\r\n');
    expect(buildSipfrag(503, 'no\r\nEvil: 1')).toBe('SIP/2.0 503 no Evil: 1\r\n');
    expect(isSipfrag('message/sipfrag;version=2.0')).toBe(true);
    expect(isSipfrag('Message/SipFrag')).toBe(true);
    expect(isSipfrag('text/plain')).toBe(false);
  });

  it('reads Subscription-State (RFC 6665 §8.2.3) and the Event package', () => {
    expect(parseSubscriptionState('active;expires=60')).toEqual({ state: 'active', expires: 60 });
    expect(parseSubscriptionState('terminated;reason=noresource')).toEqual({ state: 'terminated', reason: 'noresource' });
    expect(parseSubscriptionState('Pending')).toEqual({ state: 'pending' });
    expect(parseSubscriptionState('gone')).toBeNull();
    expect(parseSubscriptionState(undefined)).toBeNull();
    expect(eventPackage('refer;id=93')).toBe('refer');
    expect(eventPackage('Refer')).toBe('refer');
    expect(eventPackage('presence')).toBe('presence');
  });
});

describe('Replaces (RFC 3891)', () => {
  it('parses call-id, to-tag, from-tag and early-only in any order', () => {
    expect(parseReplaces('425928@bobster.example.org;to-tag=7743;from-tag=6472')).toEqual({ callId: '425928@bobster.example.org', toTag: '7743', fromTag: '6472', earlyOnly: false });
    expect(parseReplaces('abc ; from-tag=f1 ; to-tag=t1;early-only')).toEqual({ callId: 'abc', toTag: 't1', fromTag: 'f1', earlyOnly: true });
  });

  it('refuses a Replaces without both tags, with a bad call-id or too long', () => {
    expect(parseReplaces('abc;to-tag=t1')).toBeNull();
    expect(parseReplaces('abc;from-tag=f1')).toBeNull();
    expect(parseReplaces(';to-tag=t1;from-tag=f1')).toBeNull();
    expect(parseReplaces('a b;to-tag=t1;from-tag=f1')).toBeNull();
    expect(parseReplaces(`abc;to-tag=${'t'.repeat(600)};from-tag=f`)).toBeNull();
  });

  it('names our dialog from the other end: to-tag is our remote tag, from-tag our local one (§3)', () => {
    expect(replacesFor({ callId: 'c1@host', localTag: 'ours', remoteTag: 'theirs' })).toBe('c1@host;to-tag=theirs;from-tag=ours');
  });

  it('matches the confirmed dialog whose local tag is to-tag and remote tag from-tag; 481 otherwise, 486 for early-only', () => {
    const dialogs = [
      { callId: 'c1', localTag: 'a', remoteTag: 'b', confirmed: true, name: 'one' },
      { callId: 'c2', localTag: 'x', remoteTag: 'y', confirmed: false, name: 'early' },
    ];
    const r = matchReplaces({ callId: 'c1', toTag: 'a', fromTag: 'b', earlyOnly: false }, dialogs);
    expect('dialog' in r && r.dialog.name).toBe('one');
    expect(matchReplaces({ callId: 'c1', toTag: 'b', fromTag: 'a', earlyOnly: false }, dialogs)).toEqual({ status: 481 });
    expect(matchReplaces({ callId: 'c9', toTag: 'a', fromTag: 'b', earlyOnly: false }, dialogs)).toEqual({ status: 481 });
    expect(matchReplaces({ callId: 'c2', toTag: 'x', fromTag: 'y', earlyOnly: false }, dialogs)).toEqual({ status: 481 });
    expect(matchReplaces({ callId: 'c1', toTag: 'a', fromTag: 'b', earlyOnly: true }, dialogs)).toEqual({ status: 486 });
  });
});

describe('Refer-To (RFC 3515 §2.1, RFC 3891 §6.2)', () => {
  it('blind: the target URI alone (its own headers dropped)', () => {
    expect(referToUri('sip:carol@192.0.2.3:5070')).toBe('sip:carol@192.0.2.3:5070');
    expect(referToUri('<sip:carol@example.com?Subject=x>')).toBe('sip:carol@example.com');
  });

  it('attended: Replaces escaped into the URI, and read back by the transferee unchanged', () => {
    const uri = referToUri('sip:carol@192.0.2.3:5070', 'c1@host;to-tag=t1;from-tag=f1');
    expect(uri).toBe('sip:carol@192.0.2.3:5070?Replaces=c1%40host%3Bto-tag%3Dt1%3Bfrom-tag%3Df1');
    const judged = judgeReferTo(`<${uri}>`);
    expect(judged).toEqual({
      target: { uri: 'sip:carol@192.0.2.3:5070', replaces: { callId: 'c1@host', toTag: 't1', fromTag: 'f1', earlyOnly: false }, replacesText: 'c1@host;to-tag=t1;from-tag=f1' },
    });
  });

  it('refuses a Refer-To we will not call: another scheme, a method other than INVITE, a broken Replaces', () => {
    expect(judgeReferTo('<http://example.com/>')).toHaveProperty('reason');
    expect(judgeReferTo('<tel:+15551234>')).toHaveProperty('reason');
    expect(judgeReferTo('<sip:carol@example.com;method=BYE>')).toHaveProperty('reason');
    expect(judgeReferTo('<sip:carol@example.com?Replaces=%ZZ>')).toHaveProperty('reason');
    expect(judgeReferTo('<sip:carol@example.com?Replaces=abc>')).toHaveProperty('reason');
    expect(judgeReferTo(undefined)).toHaveProperty('reason');
    expect(judgeReferTo(`<sip:${'a'.repeat(2000)}@example.com>`)).toHaveProperty('reason');
  });

  it('only Replaces of the URI headers travels into our INVITE (a Route or From there could steer it)', () => {
    const judged = judgeReferTo('<sip:carol@example.com?Route=%3Csip%3Aevil.example%3E&From=x>');
    expect(judged).toEqual({ target: { uri: 'sip:carol@example.com' } });
    if (!('target' in judged)) throw new Error('refused');
    expect(referredInviteHeaders(judged.target, '<sip:alice@example.com>')).toEqual({ 'referred-by': '<sip:alice@example.com>' });
    expect(referredInviteHeaders(judged.target, 'x\r\nEvil: 1')).toEqual({});
  });
});

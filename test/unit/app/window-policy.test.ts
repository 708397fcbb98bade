// The desktop window's CSP and the localized texts of the shell.
import { describe, expect, it } from 'vitest';
import { closeDuringCallQuestion, electronCsp, incomingCallNotice } from '../../../src-main/app/window-policy';

describe('window policy', () => {
  it('allows no network in production and only the dev server in development', () => {
    const prod = electronCsp();
    expect(prod).toContain("default-src 'self'");
    expect(prod).toContain("connect-src 'none'");
    expect(prod).not.toMatch(/script-src[^;]*unsafe/);
    const dev = electronCsp('http://127.0.0.1:5173/');
    expect(dev).toContain("script-src 'self' http://127.0.0.1:5173");
    expect(dev).toContain('connect-src http://127.0.0.1:5173 ws://127.0.0.1:5173');
  });

  it('words the incoming-call notice and the close question in English or Korean', () => {
    expect(incomingCallNotice('en-US', 'Bob', 'sip:bob@example.com')).toEqual({ title: 'Incoming call', body: 'Bob <sip:bob@example.com>' });
    expect(incomingCallNotice('ko', '', 'sip:bob@example.com')).toEqual({ title: '수신 전화', body: 'sip:bob@example.com' });
    expect(closeDuringCallQuestion('en', 2).message).toBe('2 calls are in progress');
    expect(closeDuringCallQuestion('ko-KR', 1).buttons).toEqual(['끊고 닫기', '취소']);
  });
});

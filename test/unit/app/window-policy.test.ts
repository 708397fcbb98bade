// The desktop window's CSP and the localized texts of the shell.
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, closeDuringCallQuestion, electronCsp, incomingCallNotice, rendererPathForUrl, transferRequestNotice } from '../../../src-main/app/window-policy';

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

  it('allows no wildcard WebSocket (issue 8): the window talks over IPC only', () => {
    expect(electronCsp()).not.toMatch(/ws:|\*/);
    expect(electronCsp('http://127.0.0.1:5173/')).not.toMatch(/:\*/);
  });

  it('maps app://softphone/ URLs to renderer files and refuses everything else', () => {
    expect(APP_INDEX_URL).toBe('app://softphone/index.html');
    expect(rendererPathForUrl('app://softphone/index.html')).toEqual({ path: 'index.html', contentType: 'text/html; charset=utf-8' });
    expect(rendererPathForUrl('app://softphone/')?.path).toBe('index.html');
    expect(rendererPathForUrl('app://softphone/assets/index-1.js?v=2#x')).toEqual({ path: 'assets/index-1.js', contentType: 'text/javascript; charset=utf-8' });
    expect(rendererPathForUrl('app://softphone/assets/a%20b.css')?.path).toBe('assets/a b.css');
    for (const bad of [
      'app://other/index.html',
      'file:///etc/passwd',
      'app://softphone/..%2F..%2Fetc/passwd',
      'app://softphone/assets/%2e%2e/%2e%2e/x',
      'app://softphone/a%5C..%5Cb',
      'app://softphone/a%00.js',
      'app://softphone//etc/passwd',
      'not a url',
    ]) {
      expect(rendererPathForUrl(bad), bad).toBeNull();
    }
  });

  it('words the incoming-call notice and the close question in English or Korean', () => {
    expect(incomingCallNotice('en-US', 'Bob', 'sip:bob@example.com')).toEqual({ title: 'Incoming call', body: 'Bob <sip:bob@example.com>' });
    expect(incomingCallNotice('ko', '', 'sip:bob@example.com')).toEqual({ title: '수신 전화', body: 'sip:bob@example.com' });
    // Issue 11: a transfer the account asks about (REFER, or an INVITE with Replaces) names both parties.
    const bob = { remoteDisplayName: 'Bob', remoteUri: 'sip:bob@example.com' };
    expect(transferRequestNotice('en-GB', { kind: 'refer', target: 'sip:carol@example.com' }, bob)).toEqual({ title: 'Transfer request', body: 'Bob asks to transfer you to sip:carol@example.com' });
    expect(transferRequestNotice('en', { kind: 'replaces', target: 'sip:carol@example.com' }, { remoteDisplayName: '', remoteUri: 'sip:bob@example.com' })).toEqual({
      title: 'Call takeover request',
      body: 'sip:carol@example.com wants to take over your call with sip:bob@example.com',
    });
    expect(transferRequestNotice('ko-KR', { kind: 'refer', target: 'sip:carol@example.com' }, bob).title).toBe('호 전환 요청');
    expect(closeDuringCallQuestion('en', 2).message).toBe('2 calls are in progress');
    expect(closeDuringCallQuestion('ko-KR', 1).buttons).toEqual(['끊고 닫기', '취소']);
  });
});

// What the desktop window may load and do: its Content-Security-Policy and which navigations are ours.
// Pure, so the rules are unit-tested without Electron.

/**
 * CSP for the renderer in Electron (sent as a response header by the session). No network at all in
 * production (the UI talks to the core over IPC only); the dev server's origin (and its HMR socket)
 * when one is used. Styles allow 'unsafe-inline' because Svelte writes style attributes.
 */
export function electronCsp(devOrigin?: string): string {
  let connect = "'none'";
  let extra = '';
  if (devOrigin) {
    const dev = new URL(devOrigin);
    connect = `${dev.origin} ws://${dev.host}`;
    extra = ` ${dev.origin}`;
  }
  return [
    `default-src 'self'${extra}`,
    `script-src 'self'${extra}`,
    `style-src 'self' 'unsafe-inline'${extra}`,
    `img-src 'self' data:${extra}`,
    `font-src 'self'${extra}`,
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ].join('; ');
}

/** Notification text for an incoming call in the app's language. */
export function incomingCallNotice(locale: string, remoteDisplayName: string, remoteUri: string): { title: string; body: string } {
  const who = remoteDisplayName ? `${remoteDisplayName} <${remoteUri}>` : remoteUri;
  return locale.toLowerCase().startsWith('ko') ? { title: '수신 전화', body: who } : { title: 'Incoming call', body: who };
}

/** The question asked before closing the window (or quitting) with a call up. */
export function closeDuringCallQuestion(locale: string, calls: number): { message: string; detail: string; buttons: [string, string] } {
  if (locale.toLowerCase().startsWith('ko')) {
    return { message: '통화 중입니다', detail: `닫으면 통화 ${calls}건이 끊어집니다.`, buttons: ['끊고 닫기', '취소'] };
  }
  return {
    message: calls === 1 ? 'A call is in progress' : `${calls} calls are in progress`,
    detail: 'Closing the softphone hangs up.',
    buttons: ['Hang up and close', 'Cancel'],
  };
}

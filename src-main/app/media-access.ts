// The microphone permission the OS keeps for the whole app (macOS privacy consent, Windows' microphone
// privacy switch): which requests need it and what the user is told when it is off. Pure; the check itself
// is in media-access.main.ts (systemPreferences).

/** Requests that start sending the microphone: the OS is asked before these, never at launch. */
export const MICROPHONE_CHANNELS: ReadonlySet<string> = new Set(['call.dial', 'call.answer']);

/** Electron's systemPreferences.getMediaAccessStatus() values. */
export type MediaAccessStatus = 'not-determined' | 'granted' | 'denied' | 'restricted' | 'unknown';

/** Null when calls may use the microphone; otherwise the sentence shown where the call would have started. */
export function microphoneDenied(status: MediaAccessStatus, platform: NodeJS.Platform, locale: string): string | null {
  if (status !== 'denied' && status !== 'restricted') return null;
  const ko = locale.toLowerCase().startsWith('ko');
  if (platform === 'darwin') {
    return ko
      ? '마이크 사용이 허용되지 않았습니다. 시스템 설정 > 개인정보 보호 및 보안 > 마이크에서 Softphone을 켜 주세요.'
      : 'Softphone may not use the microphone. Turn Softphone on in System Settings > Privacy & Security > Microphone.';
  }
  if (platform === 'win32') {
    return ko
      ? 'Windows에서 마이크가 꺼져 있습니다. 설정 > 개인 정보 및 보안 > 마이크에서 "데스크톱 앱이 마이크에 액세스하도록 허용"을 켜 주세요.'
      : 'Windows has the microphone turned off for apps. Turn on "Let desktop apps access your microphone" in Settings > Privacy & security > Microphone.';
  }
  return ko ? '마이크 사용이 허용되지 않았습니다.' : 'Softphone may not use the microphone.';
}

// Click-to-call consent: whether, and for which schemes, the desktop app makes itself the system's sip:/tel:
// handler. Pure (the prompt, the stored answer, what each OS allows); click-to-call.main.ts does the I/O.
// Claiming a scheme changes the whole desktop, so it happens only in a packaged build, only after the user
// said yes, and never silently on a later start.

export type ClickToCallChoice = 'ask' | 'sip' | 'sip+tel' | 'off';

const CHOICES: readonly ClickToCallChoice[] = ['ask', 'sip', 'sip+tel', 'off'];

/** The stored answer (click-to-call.json in userData); anything unreadable means "ask". */
export function parseClickToCall(text: string | null): ClickToCallChoice {
  if (!text) return 'ask';
  try {
    const choice = (JSON.parse(text) as { choice?: unknown }).choice;
    return CHOICES.includes(choice as ClickToCallChoice) ? (choice as ClickToCallChoice) : 'ask';
  } catch {
    return 'ask';
  }
}

export function serializeClickToCall(choice: ClickToCallChoice): string {
  return `${JSON.stringify({ version: 1, choice }, null, 2)}\n`;
}

/**
 * The schemes a choice claims on this OS. macOS: sip: only. The app does not declare tel: there
 * (electron-builder.yml mac.protocols): tel: stays with FaceTime, which places calls through the iPhone.
 */
export function schemesFor(choice: ClickToCallChoice, platform: NodeJS.Platform): ('sip' | 'tel')[] {
  if (choice === 'sip') return ['sip'];
  if (choice === 'sip+tel') return platform === 'darwin' ? ['sip'] : ['sip', 'tel'];
  return [];
}

export interface RegistrationContext {
  isPackaged: boolean;
  platform: NodeJS.Platform;
  /** Linux: the deb's softphone.desktop was found in an applications folder (xdg-settings needs it). */
  desktopFileInstalled: boolean;
  /** Linux: running from an AppImage ($APPIMAGE set). */
  appImage: boolean;
}

/** Whether this copy of the app may become a handler at all, and if not, why (shown to the user). */
export function registrationBlocked(ctx: RegistrationContext): string | null {
  // `electron .` would register the development Electron binary for every sip:/tel: link on the system.
  if (!ctx.isPackaged) return 'Click-to-call is set up by the installed app only, not in development.';
  if (ctx.platform === 'linux' && (ctx.appImage || !ctx.desktopFileInstalled)) {
    return 'Click-to-call needs the .deb package: it installs softphone.desktop, which the desktop uses to open links.';
  }
  return null;
}

export interface ClickToCallQuestion {
  message: string;
  detail: string;
  buttons: string[];
  /** The choice each button stands for, in the same order. */
  answers: ClickToCallChoice[];
}

/** The question asked once (and again from the Phone menu). */
export function clickToCallQuestion(locale: string, platform: NodeJS.Platform): ClickToCallQuestion {
  const ko = locale.toLowerCase().startsWith('ko');
  if (platform === 'darwin') {
    return ko
      ? {
          message: 'sip: 링크를 Softphone으로 열까요?',
          detail: '웹 페이지나 메일의 sip: 주소를 누르면 Softphone에 번호가 채워집니다. tel: 링크는 FaceTime에 그대로 둡니다.',
          buttons: ['sip: 링크 열기', '아니요'],
          answers: ['sip', 'off'],
        }
      : {
          message: 'Open sip: links with Softphone?',
          detail: 'Clicking a sip: address in a web page or an e-mail fills it into the dial field. tel: links stay with FaceTime.',
          buttons: ['Open sip: links', 'No'],
          answers: ['sip', 'off'],
        };
  }
  return ko
    ? {
        message: 'sip: 및 tel: 링크를 Softphone으로 열까요?',
        detail: '웹 페이지나 메일의 전화번호나 sip: 주소를 누르면 Softphone에 채워집니다. 나중에 전화 메뉴에서 바꿀 수 있습니다.',
        buttons: ['sip:와 tel:', 'sip:만', '아니요'],
        answers: ['sip+tel', 'sip', 'off'],
      }
    : {
        message: 'Open sip: and tel: links with Softphone?',
        detail: 'Clicking a phone number or a sip: address in a web page or an e-mail fills it into the dial field. You can change this later in the Phone menu.',
        buttons: ['sip: and tel:', 'sip: only', 'No'],
        answers: ['sip+tel', 'sip', 'off'],
      };
}

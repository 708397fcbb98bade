// Click-to-call consent: nothing is claimed before the user answers, development copies and AppImages never
// register, macOS never claims tel:, and a damaged answer file means "ask again".
import { describe, expect, it } from 'vitest';
import { clickToCallQuestion, parseClickToCall, registrationBlocked, schemesFor, serializeClickToCall } from '../../../src-main/app/click-to-call';

describe('click-to-call consent', () => {
  it('stores the answer and reads anything else as "ask"', () => {
    expect(parseClickToCall(serializeClickToCall('sip+tel'))).toBe('sip+tel');
    expect(parseClickToCall(serializeClickToCall('off'))).toBe('off');
    expect(parseClickToCall(null)).toBe('ask');
    expect(parseClickToCall('{"choice":"everything"}')).toBe('ask');
    expect(parseClickToCall('{not json')).toBe('ask');
  });

  it('claims only what the user chose, and never tel: on macOS', () => {
    expect(schemesFor('ask', 'linux')).toEqual([]);
    expect(schemesFor('off', 'win32')).toEqual([]);
    expect(schemesFor('sip', 'linux')).toEqual(['sip']);
    expect(schemesFor('sip+tel', 'win32')).toEqual(['sip', 'tel']);
    expect(schemesFor('sip+tel', 'darwin')).toEqual(['sip']);
  });

  it('registers from a packaged build only, and on Linux only with the deb .desktop file', () => {
    const ok = { isPackaged: true, platform: 'linux' as const, desktopFileInstalled: true, appImage: false };
    expect(registrationBlocked(ok)).toBeNull();
    expect(registrationBlocked({ ...ok, isPackaged: false })).toMatch(/installed app only/);
    expect(registrationBlocked({ ...ok, appImage: true })).toMatch(/\.deb/);
    expect(registrationBlocked({ ...ok, desktopFileInstalled: false })).toMatch(/softphone\.desktop/);
    expect(registrationBlocked({ ...ok, platform: 'win32', desktopFileInstalled: false })).toBeNull();
  });

  it('asks with one answer per button, "No" last (the cancel button)', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      for (const locale of ['en-US', 'ko']) {
        const q = clickToCallQuestion(locale, platform);
        expect(q.answers).toHaveLength(q.buttons.length);
        expect(q.answers.at(-1)).toBe('off');
      }
    }
    expect(clickToCallQuestion('en', 'darwin').detail).toMatch(/FaceTime/);
    expect(clickToCallQuestion('en', 'darwin').answers).not.toContain('sip+tel');
  });
});

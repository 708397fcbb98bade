// Development-only environment variables are dropped in a packaged app and kept in development.
import { describe, expect, it } from 'vitest';
import { refuseDevOverrides } from '../../../src-main/app/dev-overrides';
import { MICROPHONE_CHANNELS, microphoneDenied } from '../../../src-main/app/media-access';

describe('development overrides', () => {
  it('removes SOFTPHONE_MEDIA_WORKER and the audio/dev-URL overrides when packaged', () => {
    const env: NodeJS.ProcessEnv = { SOFTPHONE_MEDIA_WORKER: '/tmp/evil.js', SOFTPHONE_AUDIO_RECORD: '/tmp/call.wav', SOFTPHONE_DEV_URL: 'http://x', HOME: '/home/u' };
    expect(refuseDevOverrides(env, true).sort()).toEqual(['SOFTPHONE_AUDIO_RECORD', 'SOFTPHONE_DEV_URL', 'SOFTPHONE_MEDIA_WORKER']);
    expect(env).toEqual({ HOME: '/home/u' });
  });

  it('keeps them in development', () => {
    const env: NodeJS.ProcessEnv = { SOFTPHONE_MEDIA_WORKER: '/tmp/w.js' };
    expect(refuseDevOverrides(env, false)).toEqual([]);
    expect(env.SOFTPHONE_MEDIA_WORKER).toBe('/tmp/w.js');
  });
});

describe('microphone consent', () => {
  it('checks before dialling and answering only', () => {
    expect([...MICROPHONE_CHANNELS].sort()).toEqual(['call.answer', 'call.dial']);
  });

  it('says where to turn the microphone on, per OS, only when it is off', () => {
    expect(microphoneDenied('granted', 'darwin', 'en')).toBeNull();
    expect(microphoneDenied('not-determined', 'win32', 'en')).toBeNull();
    expect(microphoneDenied('denied', 'darwin', 'en')).toMatch(/System Settings > Privacy & Security > Microphone/);
    expect(microphoneDenied('restricted', 'darwin', 'ko')).toMatch(/마이크/);
    expect(microphoneDenied('denied', 'win32', 'en')).toMatch(/Let desktop apps access your microphone/);
  });
});

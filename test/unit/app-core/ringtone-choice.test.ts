// Issue 11, the ringtone preference: built-in names or a WAV file; a file that cannot be played is a field
// error on save and on Preview (real files: a tone, a text file, an empty WAV, a missing path); Preview
// rings on a session of its own for a few seconds and refuses while a call has the sound card.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRingtoneFile } from '../../../src-main/app-core/app-core.node';
import { createRingtonePreview, PREVIEW_MS, ringtoneChoiceOf, ringtoneProblems } from '../../../src-main/app-core/ringtone-choice';
import type { MediaSessionOptions } from '../../../src-main/rtp/media-session';
import { encodeWav } from '../../../src-main/audio/wav';
import { makeTempDir, removeDir, writeToneWav } from '../../support/audio-check';
import { FakeMedia } from './fake-user-agent';

let dir: string;
beforeAll(() => {
  dir = makeTempDir('ringtone-choice-');
});
afterAll(() => removeDir(dir));

describe('ringtone choice', () => {
  it('absent is classic; a built-in name is itself; a file with a path is the file', () => {
    expect(ringtoneChoiceOf({})).toEqual({ name: 'classic' });
    expect(ringtoneChoiceOf({ ringtone: 'trill' })).toEqual({ name: 'trill' });
    expect(ringtoneChoiceOf({ ringtone: 'file', ringtoneFile: '/x/ring.wav' })).toEqual({ file: '/x/ring.wav' });
    expect(ringtoneChoiceOf({ ringtone: 'file' })).toEqual({ name: 'classic' });
  });

  it('a WAV that plays passes; a text file, an empty WAV, a missing file or no path are field errors saying why', async () => {
    const good = writeToneWav(dir, 700, 2);
    const text = join(dir, 'notes.wav');
    writeFileSync(text, 'this is not audio');
    const empty = join(dir, 'empty.wav');
    writeFileSync(empty, encodeWav(new Int16Array(0), 8000));
    expect(await ringtoneProblems({ ringtone: 'file', ringtoneFile: good }, checkRingtoneFile)).toEqual({});
    expect((await ringtoneProblems({ ringtone: 'file', ringtoneFile: text }, checkRingtoneFile)).ringtoneFile).toMatch(/not a WAV file: missing RIFF\/WAVE header/);
    expect((await ringtoneProblems({ ringtone: 'file', ringtoneFile: empty }, checkRingtoneFile)).ringtoneFile).toBe(`${empty} holds no audio`);
    expect((await ringtoneProblems({ ringtone: 'file', ringtoneFile: join(dir, 'gone.wav') }, checkRingtoneFile)).ringtoneFile).toMatch(/cannot open WAV to play .*gone\.wav: ENOENT/);
    expect(await ringtoneProblems({ ringtone: 'file', ringtoneFile: ' ' }, checkRingtoneFile)).toEqual({ ringtoneFile: 'choose a WAV file for the ringtone' });
    expect(await ringtoneProblems({ ringtone: 'chime' }, checkRingtoneFile)).toEqual({});
  });
});

describe('ringtone preview', () => {
  function setup(busy = false) {
    const made: FakeMedia[] = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const closed: FakeMedia[] = [];
    const preview = createRingtonePreview({
      createMedia: (o: MediaSessionOptions) => {
        const m = new FakeMedia(o);
        m.close = async () => {
          closed.push(m);
          return await new FakeMedia(o).close();
        };
        made.push(m);
        return m;
      },
      media: () => ({ audio: { kind: 'portaudio', outputDevice: 3 }, portMin: 20000, portMax: 20100, bindAddress: '127.0.0.1' }),
      checkFile: checkRingtoneFile,
      busy: () => busy,
      setTimer: (fn, ms) => timers.push({ fn, ms }),
    });
    return { preview, made, timers, closed };
  }

  it('rings the chosen ringtone on the chosen speaker for a few seconds; a second preview stops the first', async () => {
    const { preview, made, timers, closed } = setup();
    expect(await preview({ ringtone: 'trill' })).toEqual({ seconds: PREVIEW_MS / 1000 });
    expect(made[0]?.options).toMatchObject({ audio: { kind: 'portaudio', outputDevice: 3 }, ringtone: true, ringtoneSound: { name: 'trill' } });
    await preview({ ringtone: 'long' });
    expect(closed).toEqual([made[0]]);
    expect(timers.map((t) => t.ms)).toEqual([PREVIEW_MS, PREVIEW_MS]);
    timers[1]?.fn();
    expect(closed).toEqual([made[0], made[1]]);
  });

  it('issue 11 "Ring on": the preview rings through the ring device in the audio config; what its media reports reaches the user', async () => {
    const made: FakeMedia[] = [];
    const reported: string[] = [];
    const preview = createRingtonePreview({
      createMedia: (o: MediaSessionOptions) => {
        const m = new FakeMedia(o);
        made.push(m);
        return m;
      },
      media: () => ({ audio: { kind: 'portaudio', outputDevice: 3, ringDevice: 'USB headset' }, portMin: 20000, portMax: 20100 }),
      busy: () => false,
      setTimer: () => undefined,
      report: (m) => reported.push(m),
    });
    await preview({ ringtone: 'classic' });
    expect(made[0]?.options).toMatchObject({ audio: { kind: 'portaudio', outputDevice: 3, ringDevice: 'USB headset' }, ringtone: true });
    const warning = "the ring device 'USB headset' is not connected; the ringtone plays on the speaker instead";
    made[0]?.events.emit('error', { message: warning });
    expect(reported).toEqual([warning]);
  });

  it('a bad file is refused with the field error and nothing rings; not during a call', async () => {
    const { preview, made } = setup();
    const text = join(dir, 'readme.wav');
    writeFileSync(text, 'hello');
    await expect(preview({ ringtone: 'file', ringtoneFile: text })).rejects.toMatchObject({ code: 'invalid-request', fields: { ringtoneFile: expect.stringMatching(/not a WAV file/) } });
    expect(made).toHaveLength(0);
    await expect(setup(true).preview({ ringtone: 'classic' })).rejects.toThrow('the ringtone can be previewed when no call is in progress');
  });
});

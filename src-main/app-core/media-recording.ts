// A call's media session with a recording file of its own (issue 11: calls at the same time must not
// write into one WAV): the file is taken from RecordSlots when the session is made, given back on close.
import type { RecordSlots } from '../audio/record-slots';
import type { MediaSession, MediaSessionFactory, MediaSessionOptions } from '../rtp/media-session';

export function createMediaWithOwnRecording(create: MediaSessionFactory, options: MediaSessionOptions, slots: RecordSlots): MediaSession {
  const audio = options.audio;
  if (audio.kind !== 'file' || audio.record === undefined) return create(options);
  const record = slots.take(audio.record);
  const inner = create({ ...options, audio: { ...audio, record } });
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    slots.release(record);
  };
  return {
    open: () =>
      inner.open().catch((err: unknown) => {
        release();
        throw err;
      }),
    start: (params) => inner.start(params),
    update: (params) => inner.update(params),
    sendDtmf: (digits, durationMs) => inner.sendDtmf(digits, durationMs),
    setMuted: (muted) => inner.setMuted(muted),
    stats: () => inner.stats(),
    close: () => inner.close().finally(release),
    on: (event, listener) => inner.on(event, listener),
  };
}

// A call's media session with a recording file of its own (issue 11: calls at the same time must not
// write into one WAV): the file is taken from RecordSlots when the session is made, given back on close.
import type { RecordSlots } from '../audio/record-slots';
import type { MediaSession, MediaSessionFactory, MediaSessionOptions } from '../rtp/media-session';
import { forwardMediaSession } from '../rtp/media-session-forwarder';

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
  // Everything else the call may use (recording, volume, conference, DTMF mode) passes straight through.
  return forwardMediaSession(inner, {
    open: () =>
      inner.open().catch((err: unknown) => {
        release();
        throw err;
      }),
    close: () => inner.close().finally(release),
  });
}

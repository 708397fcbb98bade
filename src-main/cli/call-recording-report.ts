// --record-calls DIR (issue 11): each call is recorded from the moment it connects to a stereo WAV in
// DIR named after the date and the peer, and a `recording` line says where (a warning if it cannot be).
import { recordingFileName } from '../audio/call-recording';
import type { Call } from '../sip/user-agent-api';
import type { EmitFn } from './cli-events';

/** The WAV in `dir` for `call` recorded now. */
export function recordingPathIn(dir: string, call: Call, now: Date): string {
  const sep = dir.endsWith('/') || dir.endsWith('\\') ? '' : '/';
  return `${dir}${sep}${recordingFileName(now, call.direction, call.remoteUri)}`;
}

/** `recorded` hears the path once recording runs (the call tracker's snapshot shows it). */
export function recordWhenConnected(call: Call, dir: string, emit: EmitFn, recorded: (path: string) => void = () => {}, now: () => Date = () => new Date()): void {
  const off = call.on('state', (state) => {
    if (state !== 'connected') return;
    off();
    const path = recordingPathIn(dir, call, now());
    if (!call.record) {
      emit({ event: 'warning', message: 'cannot record the call: this build has no call recording' });
      return;
    }
    call.record(path).then(
      () => {
        recorded(path);
        emit({ event: 'recording', callId: call.id, path });
      },
      (err: unknown) => emit({ event: 'warning', message: `cannot record the call to ${path}: ${err instanceof Error ? err.message : String(err)}` }),
    );
  });
}

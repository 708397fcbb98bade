// Keys sent as SIP INFO (application/dtmf-relay), one request per key and one at a time: the next INFO
// goes out once the previous one is answered, so a PBX sees them in order (RFC 6086 §4.2.1 leaves
// ordering to the UA; overlapping INFOs in a dialog race each other). Pure: sending and time come in.
import { dtmfEventCode } from '../rtp/dtmf-event';
import { dtmfRelayBody } from './dtmf-info';
import type { Clock, TimerId } from './sip-clock';

/** ',' in a key string: a 500 ms pause, as for RFC 4733 and in-band keys. */
const PAUSE_MS = 500;
/** Keys waiting at most: a script cannot make us queue without bound. */
const MAX_QUEUED = 256;

export interface DtmfInfoSenderDeps {
  clock: Clock;
  /** Sends one INFO with this body; resolves once it is answered or given up on (its status, or undefined). */
  send(body: string): Promise<number | undefined>;
}

export class DtmfInfoSender {
  private readonly queue: string[] = [];
  private running = false;
  private stopped = false;
  private timer: TimerId | undefined;

  constructor(
    private readonly deps: DtmfInfoSenderDeps,
    private readonly durationMs = 100,
  ) {}

  /** Queues keys (0-9 * # A-D, ',' = pause); others are skipped. Returns how many were queued. */
  enqueue(digits: string): number {
    let n = 0;
    for (const d of digits) {
      if (this.queue.length >= MAX_QUEUED) break;
      if (d !== ',' && dtmfEventCode(d) < 0) continue;
      this.queue.push(d.toUpperCase());
      n++;
    }
    if (n > 0 && !this.running && !this.stopped) void this.run();
    return n;
  }

  /** The call ended: nothing more goes out. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.deps.clock.clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let d = this.queue.shift(); d !== undefined && !this.stopped; d = this.queue.shift()) {
        if (d === ',') await this.pause(PAUSE_MS);
        else await this.deps.send(dtmfRelayBody(d, this.durationMs));
      }
    } finally {
      this.running = false;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timer = this.deps.clock.setTimeout(resolve, ms);
    });
  }
}

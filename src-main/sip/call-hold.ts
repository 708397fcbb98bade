// Hold of one call, both ways (issue 11, point 2): whether we hold it (our offer sendonly, RFC 3264
// §8.4) and whether the peer does (its offer sendonly/inactive or c=0.0.0.0). Pure bookkeeping.
import { isHold } from './sdp-negotiate';
import type { Direction } from './sdp-negotiate';

export interface HoldStatus {
  /** We put the call on hold. */
  readonly local: boolean;
  /** The other side put it on hold. */
  readonly remote: boolean;
}

export class CallHold {
  private localHeld = false;
  private remoteHeld = false;

  get status(): HoldStatus {
    return { local: this.localHeld, remote: this.remoteHeld };
  }

  /** Our direction for the next offer: RFC 3264 §8.4 holds a sendrecv stream by marking it sendonly. */
  get offerDirection(): Direction {
    return this.localHeld ? 'sendonly' : 'sendrecv';
  }

  /** True when our microphone must not reach the peer: while either side holds the call. */
  get silenced(): boolean {
    return this.localHeld || this.remoteHeld;
  }

  /** Returns true when this changed the state. */
  setLocal(on: boolean): boolean {
    if (this.localHeld === on) return false;
    this.localHeld = on;
    return true;
  }

  /** A new offer from the peer (re-INVITE or UPDATE): returns true when its hold state changed. */
  remoteOffer(sdp: string): boolean {
    const held = isHold(sdp);
    if (held === this.remoteHeld) return false;
    this.remoteHeld = held;
    return true;
  }
}

/** The same direction without receiving: what a call we hold plays (nothing), whatever the peer sends. */
export function withoutReceive(direction: Direction): Direction {
  if (direction === 'sendrecv') return 'sendonly';
  if (direction === 'recvonly') return 'inactive';
  return direction;
}

// Received RFC 4733 telephone-events turned into key presses: each event reported once, however many
// packets (updates, three end packets, duplicates) carry it. Pure: fed from the media thread.
import { decodeDtmfEvent, dtmfDigit } from './dtmf-event';

export class DtmfReceiver {
  private lastTimestamp: number | undefined;
  private lastEvent = -1;
  /** The last event's end (E bit) has been seen. */
  private lastEnded = true;

  /**
   * One telephone-event packet: its payload, RTP timestamp and marker bit. Returns the digit when this
   * packet starts a key press not reported yet, else undefined.
   */
  observe(payload: Uint8Array, timestamp: number, marker: boolean): string | undefined {
    const ev = decodeDtmfEvent(payload);
    if (!ev) return undefined;
    // §2.5.2.1: packets of one event share its start timestamp; a new timestamp is a new event.
    if (timestamp === this.lastTimestamp && ev.event === this.lastEvent) {
      if (ev.end) this.lastEnded = true;
      return undefined;
    }
    // §2.5.1.3: a long event goes on under a new timestamp without the marker bit: not a new press.
    const continuation = !marker && !this.lastEnded && ev.event === this.lastEvent;
    this.lastTimestamp = timestamp;
    this.lastEvent = ev.event;
    this.lastEnded = ev.end;
    if (continuation) return undefined;
    return dtmfDigit(ev.event);
  }
}

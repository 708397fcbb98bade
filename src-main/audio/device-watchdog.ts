// When a sound device that should be flowing counts as gone: one rule for the microphone and the speaker.
//
// A sound server starts a stream in steps: pulse may hand over a first block, then nothing for well over
// a second while it sets the stream up (longer on a loaded machine), then a steady flow. A gap in that
// start-up is not a failure; the same gap once audio has flowed steadily is (device unplugged, sound
// server died). A device that never flows at all still fails, after FIRST_DATA_MS.

/** Quiet this long while steady means the device is gone. */
export const STALL_MS = 1500;
/** Quiet this long while still starting (nothing yet, or fewer than STARTUP_BLOCKS) means it failed. */
export const FIRST_DATA_MS = 6000;
/** 20 ms blocks moved before the stream counts as steady: half a second of audio. */
export const STARTUP_BLOCKS = 25;

/**
 * True when a device has been quiet too long: `since` is when it last moved a block (or when it was
 * started, if it never has), `blocks` how many it has moved so far.
 */
export function deviceStalled(now: number, since: number, blocks: number): boolean {
  return now - since > (blocks < STARTUP_BLOCKS ? FIRST_DATA_MS : STALL_MS);
}

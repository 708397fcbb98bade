// Time for the SIP logic: the shared injected clock (src-main/util/clock.ts).
export { systemClock } from '../util/clock';
export type { Clock, TimerId } from '../util/clock';

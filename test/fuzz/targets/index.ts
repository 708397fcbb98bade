// Every fuzz target, in the order `npm run fuzz` runs them.
import type { FuzzTarget } from '../target';
import { historyTarget, settingsTarget, wavTarget } from './file-targets';
import { rtcpTarget, rtpTarget, stunTarget, turnTarget } from './media-targets';
import { rfc4733SdpTarget, sdpTarget } from './sdp-targets';
import { sipParseTarget, sipStackTarget } from './sip-targets';

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  sipParseTarget,
  sipStackTarget,
  sdpTarget,
  rfc4733SdpTarget,
  rtpTarget,
  rtcpTarget,
  stunTarget,
  turnTarget,
  wavTarget,
  settingsTarget,
  historyTarget,
];

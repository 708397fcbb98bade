// The user agent as the CLI's commands see it, with every call (dialled or incoming) followed by a
// CallTracker, so the control channel can find a call by its id (issue 11, point 9).
import type { CallTracker } from '../app-core/call-tracker';
import type { Call, UserAgent } from '../sip/user-agent-api';

export function trackingCalls(ua: UserAgent, tracker: CallTracker, onCall: (call: Call) => void = () => {}): UserAgent {
  ua.on('incoming', (call) => {
    tracker.track(call);
    onCall(call);
  });
  return {
    start: () => ua.start(),
    get registration() {
      return ua.registration;
    },
    register: () => ua.register(),
    unregister: () => ua.unregister(),
    call: (target) => {
      const call = ua.call(target);
      tracker.track(call);
      onCall(call);
      return call;
    },
    sendMessage: (target, text) => ua.sendMessage(target, text),
    shutdown: () => ua.shutdown(),
    on: (event, listener) => ua.on(event, listener),
  };
}

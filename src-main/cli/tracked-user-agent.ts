// The user agent as the CLI's commands see it, with every call (dialled or incoming) followed by a
// CallTracker, so the control channel can find a call by its id (issue 11, point 9).
import type { CallTracker } from '../app-core/call-tracker';
import type { UserAgent } from '../sip/user-agent-api';

export function trackingCalls(ua: UserAgent, tracker: CallTracker): UserAgent {
  ua.on('incoming', (call) => tracker.track(call));
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
      return call;
    },
    shutdown: () => ua.shutdown(),
    on: (event, listener) => ua.on(event, listener),
  };
}

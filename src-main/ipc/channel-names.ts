// Run-time lists of the contract's request and event names (the contract's maps are types), checked at
// compile time to be exactly those names; the preload and the web server allow nothing else.
import type { EventChannel, EventMap, RequestChannel, ResponseMap } from './contract';

/** The IPC channel the preload invokes and the one events come back on (Electron). */
export const IPC_REQUEST_CHANNEL = 'softphone:request';
export const IPC_EVENT_CHANNEL = 'softphone:event';

const requestNames = {
  'app.snapshot': true,
  'account.get': true,
  'account.save': true,
  'registration.register': true,
  'registration.unregister': true,
  'call.dial': true,
  'call.answer': true,
  'call.reject': true,
  'call.hangup': true,
  'call.dtmf': true,
  'call.mute': true,
  'call.hold': true,
  'call.transfer': true,
  'call.conference': true,
  'call.transferReply': true,
  'call.record': true,
  'message.send': true,
  'messages.list': true,
  'messages.get': true,
  'messages.markRead': true,
  'messages.delete': true,
  'presence.set': true,
  'history.list': true,
  'history.clear': true,
  'history.delete': true,
  'audio.devices': true,
  'audio.ringtonePreview': true,
  'preferences.get': true,
  'preferences.save': true,
  'flow.get': true,
  'network.check': true,
  'contacts.list': true,
  'contacts.save': true,
  'contacts.delete': true,
  'contacts.import': true,
  'contacts.export': true,
  'accounts.list': true,
  'accounts.save': true,
  'accounts.delete': true,
  'accounts.setDefault': true,
  'accounts.enable': true,
} as const satisfies Record<RequestChannel, true>;

const eventNames = {
  'registration.changed': true,
  'call.changed': true,
  'flow.message': true,
  'audio.level': true,
  'history.changed': true,
  'dial.prefill': true,
  'app.problem': true,
  'network.changed': true,
  'message.received': true,
  'call.transfer': true,
  'call.transferRequest': true,
  'contacts.changed': true,
  'voicemail.changed': true,
  'presence.changed': true,
  'messages.changed': true,
  'presence.own': true,
  'accounts.changed': true,
} as const satisfies Record<EventChannel, true>;

// Both directions: a name in the lists but not in the contract fails here too.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _requestsExact: Exact<keyof typeof requestNames, keyof ResponseMap> = true;
const _eventsExact: Exact<keyof typeof eventNames, keyof EventMap> = true;
void _requestsExact;
void _eventsExact;

export const REQUEST_CHANNELS: readonly RequestChannel[] = Object.freeze(Object.keys(requestNames) as RequestChannel[]);
export const EVENT_CHANNELS: readonly EventChannel[] = Object.freeze(Object.keys(eventNames) as EventChannel[]);

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestNames, name);
}

export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(eventNames, name);
}

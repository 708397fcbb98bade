import { describe, expect, it } from 'vitest';
import { assertTransition, CALL_TRANSITIONS, canTransition, initialCallState } from '../../../src-main/sip/call-state';

describe('call state machine', () => {
  it('outgoing starts calling, incoming ringing', () => {
    expect(initialCallState('outgoing')).toBe('calling');
    expect(initialCallState('incoming')).toBe('ringing');
  });
  it('allows the normal paths and nothing out of ended', () => {
    expect(canTransition('calling', 'ringing')).toBe(true);
    expect(canTransition('calling', 'connected')).toBe(true);
    expect(canTransition('ringing', 'connected')).toBe(true);
    expect(canTransition('connected', 'ended')).toBe(true);
    expect(canTransition('connected', 'ringing')).toBe(false);
    expect(canTransition('ringing', 'calling')).toBe(false);
    expect(CALL_TRANSITIONS.ended).toEqual([]);
    expect(() => assertTransition('ended', 'connected')).toThrow(/ended -> connected/);
  });
});

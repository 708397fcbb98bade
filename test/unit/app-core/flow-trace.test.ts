// Per-call SIP traces: bounded per dialog, registrations evicted before calls, latest call found.
import { describe, expect, it } from 'vitest';
import { cseqMethod, FlowTraces } from '../../../src-main/app-core/flow-trace';
import type { SipTraceEntry } from '../../../src-main/sip/user-agent-api';

const entry = (callId: string, time: number, method: string, summary = method): SipTraceEntry => ({
  direction: 'in',
  time,
  remote: '127.0.0.1:5060',
  callId,
  summary,
  raw: `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP x\r\ncseq:  7  ${method}\r\n\r\n`,
});

describe('flow traces', () => {
  it('reads the method from CSeq of requests and responses', () => {
    expect(cseqMethod('INVITE sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\n')).toBe('INVITE');
    expect(cseqMethod('SIP/2.0 401 Unauthorized\r\ncseq:2 register\r\n')).toBe('REGISTER');
    expect(cseqMethod('garbage')).toBeNull();
  });

  it('keeps the last 200 messages of a dialog', () => {
    const traces = new FlowTraces(4, 200);
    for (let i = 0; i < 250; i++) traces.add(entry('call-1', i, 'INVITE', `m${i}`));
    const got = traces.get('call-1');
    expect(got).toHaveLength(200);
    expect(got[0]?.summary).toBe('m50');
    expect(got[199]?.summary).toBe('m249');
  });

  it('evicts registration dialogs before calls, then the oldest call', () => {
    const traces = new FlowTraces(3, 200);
    traces.add(entry('call-a', 1, 'INVITE'));
    traces.add(entry('reg-1', 2, 'REGISTER'));
    traces.add(entry('call-b', 3, 'INVITE'));
    traces.add(entry('reg-2', 4, 'REGISTER'));
    expect(traces.has('reg-1')).toBe(false);
    expect(traces.has('call-a')).toBe(true);
    traces.add(entry('call-c', 5, 'INVITE'));
    expect(traces.has('reg-2')).toBe(false);
    traces.add(entry('call-d', 6, 'INVITE'));
    expect(traces.has('call-a')).toBe(false);
    expect(traces.latestCallId()).toBe('call-d');
    expect(traces.get('nope')).toEqual([]);
  });
});

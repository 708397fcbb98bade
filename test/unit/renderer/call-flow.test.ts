// The SIP call-flow ladder: one arrow per traced message, method/status labels and +ms offsets, lanes
// per remote address, live growth from flow.message events, and the raw message on click.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import CallFlow from '../../../src-renderer/components/flow/CallFlow.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { layoutLadder } from '../../../src-renderer/lib/flow-layout';
import { FlowState } from '../../../src-renderer/state/flow.svelte';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { FakeApi, traceOfCall } from './fake-api';

function arrows(): SVGGElement[] {
  return screen.getAllByTestId('flow-arrow') as unknown as SVGGElement[];
}

function labels(): string[] {
  return screen.getAllByTestId('flow-label').map((l) => l.textContent ?? '');
}

describe('CallFlow ladder', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });

  it('renders one arrow per message with method/status labels and offsets', () => {
    const flow = new FlowState(null);
    flow.load(traceOfCall());
    render(CallFlow, { props: { flow } });
    expect(arrows()).toHaveLength(7);
    expect(labels()).toEqual([
      'INVITE · SDP',
      '100 Trying (INVITE)',
      '180 Ringing (INVITE)',
      '200 OK (INVITE) · SDP',
      'ACK',
      'BYE',
      '200 OK (BYE)',
    ]);
    const names = arrows().map((a) => a.getAttribute('aria-label'));
    expect(names[0]).toBe('INVITE (SDP) sent to 127.0.0.1:5060, +0 ms');
    expect(names[2]).toBe('180 Ringing received from 127.0.0.1:5060, +24 ms');
    expect(names[6]).toBe('200 OK sent to 127.0.0.1:5060, +72 ms');
    // Colour classes follow the message class (request / 1xx / 2xx).
    expect(arrows()[0]?.getAttribute('class')).toContain('request');
    expect(arrows()[1]?.getAttribute('class')).toContain('provisional');
    expect(arrows()[3]?.getAttribute('class')).toContain('success');
    expect(screen.getByText('7 messages')).toBeTruthy();
  });

  it('draws requests from our lane and responses back into it', () => {
    const layout = layoutLadder(traceOfCall());
    expect(layout.lanes.map((l) => l.id)).toEqual(['local', '127.0.0.1:5060']);
    const [us, them] = layout.lanes.map((l) => l.x);
    const invite = layout.arrows[0];
    const ringing = layout.arrows[2];
    expect([invite?.x1, invite?.x2]).toEqual([us, them]);
    expect([ringing?.x1, ringing?.x2]).toEqual([them, us]);
    expect(layout.arrows.map((a) => a.offset)).toEqual(['+0 ms', '+12 ms', '+24 ms', '+36 ms', '+48 ms', '+60 ms', '+72 ms']);
    // Every arrow sits on its own row, top to bottom.
    const ys = layout.arrows.map((a) => a.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(new Set(ys).size).toBe(ys.length);
  });

  it('adds a third lane when a second remote takes part', () => {
    const entries = traceOfCall();
    const moved = entries.map((e, i) => (i >= 4 ? { ...e, remote: '127.0.0.1:5064' } : e));
    const flow = new FlowState(null);
    flow.load(moved);
    render(CallFlow, { props: { flow } });
    const ladder = screen.getByTestId('flow-ladder');
    const laneTitles = Array.from(ladder.querySelectorAll('.lane-title')).map((t) => t.firstChild?.textContent);
    expect(laneTitles).toEqual(['You', '127.0.0.1:5060', '127.0.0.1:5064']);
    expect(arrows()).toHaveLength(7);
  });

  it('shows the raw message of a clicked arrow', async () => {
    const flow = new FlowState(null);
    flow.load(traceOfCall());
    render(CallFlow, { props: { flow } });
    await fireEvent.click(arrows()[3] as SVGGElement);
    const panel = screen.getByRole('region', { name: /Raw message/ });
    expect(within(panel).getByText('SIP/2.0 200 OK')).toBeTruthy();
    expect(panel.textContent).toContain('Received from 127.0.0.1:5060');
    expect(panel.textContent).toContain('m=audio 4000 RTP/AVP 0');
    expect(arrows()[3]?.getAttribute('aria-selected')).toBe('true');
    // Arrow keys move the selection; Escape clears it.
    await fireEvent.keyDown(arrows()[3] as SVGGElement, { key: 'ArrowDown' });
    expect(within(screen.getByRole('region', { name: /Raw message/ })).getByText('ACK sip:bob@127.0.0.1:5064 SIP/2.0')).toBeTruthy();
    await fireEvent.keyDown(arrows()[4] as SVGGElement, { key: 'Escape' });
    expect(screen.queryByRole('region', { name: /Raw message/ })).toBeNull();
  });

  it('grows live from flow.message events and follows a new call', async () => {
    const fake = new FakeApi();
    const api = new Api(() => fake);
    const flow = new FlowState(api);
    api.on('flow.message', (m) => flow.add(m));
    render(CallFlow, { props: { flow } });
    expect(screen.getByText(/No SIP messages yet/)).toBeTruthy();

    const register = traceOfCall('reg-1').slice(0, 1).map((e) => ({
      ...e, summary: 'REGISTER', raw: 'REGISTER sip:example.com SIP/2.0\r\nCall-ID: reg-1\r\nCSeq: 1 REGISTER\r\n\r\n',
    }));
    fake.emit('flow.message', register[0]!);
    await Promise.resolve();
    expect(labels()).toEqual(['REGISTER']);

    const call = traceOfCall('call-2', '127.0.0.1:5060', 1_700_000_100_000);
    for (const e of call.slice(0, 3)) fake.emit('flow.message', e);
    // The new INVITE dialog takes over from the registration (follow is on).
    await Promise.resolve();
    expect(labels()).toEqual(['INVITE · SDP', '100 Trying (INVITE)', '180 Ringing (INVITE)']);
    // A duplicate (the same message from flow.get and an event) is drawn once.
    flow.load(call.slice(0, 3));
    await Promise.resolve();
    expect(arrows()).toHaveLength(3);
    const picker = screen.getByLabelText('Dialog') as HTMLSelectElement;
    expect(Array.from(picker.options).map((o) => o.textContent?.split(' · ')[1])).toEqual(['INVITE bob', 'REGISTER example.com']);
  });
});

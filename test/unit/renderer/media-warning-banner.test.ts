// Issue 10 in the UI: the call card shows a banner while the core reports no audio from the other side
// (CallSnapshot.mediaWarning over 'call.changed'), in English and Korean, and drops it when cleared.
import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import type { MediaWarning } from '../../../src-main/sip/user-agent-api';
import { FakeApi, callSnapshot } from './fake-api';

let phone: Softphone | null = null;

afterEach(() => {
  phone?.dispose();
  phone = null;
  i18n.preference = 'en';
});

const warning: MediaWarning = {
  reason: "no audio from the other side for 5 s: the peer's media may be blocked by a firewall or NAT",
  silentSeconds: 5,
  kind: 'never',
  path: 'direct',
};

async function connectedCall(fake: FakeApi) {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  const call = callSnapshot({ id: 'out-1', state: 'connected', connectedAt: Date.now() - 6000 });
  fake.emit('call.changed', call);
  await vi.waitFor(() => expect(screen.getByTestId('call-state').textContent).toMatch(/^Connected/));
  return call;
}

describe('the no-audio banner on the call card', () => {
  it('appears with the warning, says why, keeps the core\'s words as its tooltip, and goes when the audio is back', async () => {
    i18n.preference = 'en';
    const fake = new FakeApi();
    const call = await connectedCall(fake);
    expect(screen.queryByTestId('media-warning')).toBeNull();
    fake.emit('call.changed', { ...call, mediaWarning: warning });
    const banner = await vi.waitFor(() => screen.getByTestId('media-warning'));
    expect(banner.textContent?.trim()).toBe('No audio from the other side for 5 s: their audio may be blocked by a firewall or NAT.');
    expect(banner.getAttribute('title')).toBe(warning.reason);
    expect(banner.getAttribute('role')).toBe('alert');
    fake.emit('call.changed', { ...call, mediaWarning: { ...warning, path: 'relay' } });
    await vi.waitFor(() => expect(screen.getByTestId('media-warning').textContent).toMatch(/TURN relay/));
    fake.emit('call.changed', { ...call, mediaWarning: null });
    await vi.waitFor(() => expect(screen.queryByTestId('media-warning')).toBeNull());
  });

  it('speaks Korean when the UI does', async () => {
    const fake = new FakeApi();
    phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
    render(App, { props: { phone } });
    await phone.start();
    i18n.preference = 'ko';
    fake.emit('call.changed', callSnapshot({ id: 'out-1', state: 'connected', connectedAt: Date.now(), mediaWarning: warning }));
    await vi.waitFor(() => expect(screen.getByTestId('media-warning').textContent?.trim()).toBe('5초 동안 상대방의 소리가 오지 않습니다: 방화벽이나 NAT가 상대방의 음성을 막고 있을 수 있습니다.'));
  });
});

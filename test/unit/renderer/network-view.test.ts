// The Network view over a fake core: one click from the main window, the SIP address and the registrar's
// view, "Test NAT" and its result in plain words, and the NAT-unreachable warning as a banner while it holds.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkCheckReport, NetworkStatus } from '../../../src-main/ipc/contract';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi, SNAPSHOT } from './fake-api';

const WARNING =
  "Registered, but the server's calls cannot reach this PC: you are behind NAT (seen as 203.0.113.9:61000, local 192.168.1.20:5060) and no request from the server has arrived in 5 minutes.";

const REPORT: NetworkCheckReport = {
  server: 'stun.example.com',
  serverAddress: { address: '198.51.100.1', port: 3478 },
  behavior: 'endpoint-independent',
  endpointIndependent: true,
  portPreserved: true,
  rtp: { local: { address: '192.168.1.20', port: 16384 }, mapped: { address: '203.0.113.9', port: 16384 }, source: 'stun' },
  sip: { local: { address: '192.168.1.20', port: 5060 }, mapped: { address: '203.0.113.9', port: 61000 }, source: 'registrar' },
  summary: 'Endpoint-independent mapping: …',
  checkedAt: Date.UTC(2024, 0, 1, 10, 37, 44),
};

let phone: Softphone | null = null;

async function start(fake: FakeApi): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => fake), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

const withStun = () => new FakeApi().answer('app.snapshot', { ...SNAPSHOT, preferences: { ...SNAPSHOT.preferences, stunServer: 'stun.example.com' } });
const panel = () => within(document.getElementById('view-panel-network') as HTMLElement);

describe('Network view', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
  });

  it('is one click away and shows the SIP socket, then where the registrar sees it', async () => {
    const fake = new FakeApi();
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'Network' }));
    expect(screen.getByTestId('sip-local').textContent).toBe('All interfaces, port 5060');
    expect(screen.getByTestId('sip-public').textContent).toBe('Not yet: the registrar reports it after registering');
    const status: NetworkStatus = {
      sipLocal: { address: '0.0.0.0', port: 5060 },
      publicAddress: { address: '203.0.113.9', port: 61000, local: { address: '192.168.1.20', port: 5060 }, behindNat: true },
      unreachableWarning: null,
    };
    fake.emit('network.changed', status);
    await vi.waitFor(() => expect(screen.getByTestId('sip-public').textContent).toBe('203.0.113.9:61000'));
    expect(panel().getByText('A NAT translates this address (the registrar sees another one).')).toBeTruthy();
  });

  it('with several accounts, each account has its own SIP section, titled by the account; malformed entries are dropped', async () => {
    const fake = new FakeApi();
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'Network' }));
    expect(panel().getByRole('heading', { name: 'SIP signalling' })).toBeTruthy();
    fake.emit('network.changed', {
      sipLocal: { address: '0.0.0.0', port: 5060 },
      publicAddress: null,
      unreachableWarning: null,
      accounts: [
        {
          accountId: 'account-2',
          name: 'Home',
          sipLocal: { address: '0.0.0.0', port: 40123 },
          publicAddress: { address: '203.0.113.9', port: 61001, local: { address: '192.168.1.20', port: 40123 }, behindNat: true },
          unreachableWarning: WARNING,
        },
        { name: 'no id', sipLocal: null } as never,
      ],
    });
    await vi.waitFor(() => expect(screen.getByTestId('sip-local-account-2').textContent).toBe('All interfaces, port 40123'));
    expect(panel().getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['SIP signalling: direct IP', 'SIP signalling: Home', 'NAT test (STUN)']);
    expect(screen.getByTestId('sip-public-account-2').textContent).toBe('203.0.113.9:61001');
    expect(screen.getByTestId('sip-public').textContent).toBe('Not yet: the registrar reports it after registering');
    // The warning is Home's, shown in Home's section only.
    expect(screen.getByTestId('nat-warning-account-2').textContent).toContain('203.0.113.9:61000');
    expect(screen.queryByTestId('nat-warning')).toBeNull();
  });

  it('asks for a STUN server first, and opens the settings on the Topology tab', async () => {
    await start(new FakeApi());
    await fireEvent.click(screen.getByRole('tab', { name: 'Network' }));
    expect(panel().getByText('Set a STUN server in Account settings → Topology to test the NAT.')).toBeTruthy();
    expect((panel().getByRole('button', { name: 'Test NAT' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(panel().getByRole('button', { name: 'Topology settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'SIP Account' });
    expect(within(dialog).getByRole('tab', { name: 'Topology' }).getAttribute('aria-selected')).toBe('true');
    expect(within(dialog).getByLabelText('STUN server')).toBeInstanceOf(HTMLInputElement);
  });

  it('runs Test NAT and shows the mappings and the verdict in plain words', async () => {
    const fake = withStun().answer('network.check', REPORT);
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'Network' }));
    expect(panel().getByText('STUN server: stun.example.com')).toBeTruthy();
    await fireEvent.click(panel().getByRole('button', { name: 'Test NAT' }));
    const result = await screen.findByTestId('nat-result');
    expect(fake.sent('network.check')).toEqual([{}]);
    expect(result.textContent).toContain(
      'The NAT keeps one public address for every destination (endpoint-independent mapping): direct media through ICE should work.',
    );
    expect(screen.getByTestId('rtp-public').textContent).toBe('203.0.113.9:16384');
    expect(screen.getByTestId('sip-mapped').textContent).toBe('203.0.113.9:61000 (seen by the registrar)');
    expect(screen.getByTestId('nat-behavior').textContent).toBe('Endpoint-independent');
    expect(result.textContent).toContain('The NAT kept the port number.');
  });

  it('words a silent STUN server and a failed test, also in Korean', async () => {
    const silent: NetworkCheckReport = {
      ...REPORT,
      behavior: 'unknown',
      endpointIndependent: null,
      portPreserved: null,
      rtp: { local: REPORT.rtp.local, mapped: null, source: 'stun', error: 'timeout' },
      sip: null,
    };
    let calls = 0;
    const fake = withStun().respond('network.check', () =>
      ++calls === 1 ? { ok: true, value: silent } : { ok: false, error: { code: 'failed', message: 'the NAT test could not run: getaddrinfo ENOTFOUND' } },
    );
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'Network' }));
    await fireEvent.click(panel().getByRole('button', { name: 'Test NAT' }));
    const result = await screen.findByTestId('nat-result');
    expect(result.textContent).toContain('The STUN server did not answer: check its address, and that the firewall lets UDP out to it.');
    expect(screen.getByTestId('rtp-public').textContent).toBe('No answer (timeout)');
    await fireEvent.click(panel().getByRole('button', { name: 'Test NAT' }));
    await vi.waitFor(() => expect(panel().getByRole('alert').textContent).toBe('the NAT test could not run: getaddrinfo ENOTFOUND'));
    i18n.preference = 'ko';
    await vi.waitFor(() => expect(screen.getByTestId('nat-result').textContent).toContain('STUN 서버가 응답하지 않았습니다'));
    expect(panel().getByRole('button', { name: 'NAT 테스트' })).toBeTruthy();
  });

  it('shows the NAT warning as a banner while it holds, with the fix and a way to the details', async () => {
    const fake = new FakeApi().answer('app.snapshot', {
      ...SNAPSHOT,
      network: { sipLocal: { address: '0.0.0.0', port: 5060 }, publicAddress: null, unreachableWarning: WARNING },
    });
    await start(fake);
    const banner = screen.getByTestId('nat-banner');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('Registered, but calls from the server cannot reach this PC');
    expect(banner.textContent).toContain('allow Softphone’s UDP ports in the firewall');
    await fireEvent.click(within(banner).getByRole('button', { name: 'Details' }));
    expect(screen.getByRole('tab', { name: 'Network' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByTestId('nat-warning').textContent).toContain('seen as 203.0.113.9:61000');
    // A request from outside arrived: the core clears it, and the banner goes.
    fake.emit('network.changed', { sipLocal: { address: '0.0.0.0', port: 5060 }, publicAddress: null, unreachableWarning: null });
    await vi.waitFor(() => expect(screen.queryByTestId('nat-banner')).toBeNull());
    expect(screen.queryByTestId('nat-warning')).toBeNull();
  });

  it('counts refused calls (issue 9) and lists where the last ones came from; a malformed list is dropped', async () => {
    const fake = new FakeApi();
    await start(fake);
    await fireEvent.click(screen.getByRole('tab', { name: 'Network' }));
    expect(screen.getByTestId('sip-refused').textContent).toBe('0');
    fake.emit('network.changed', {
      sipLocal: { address: '0.0.0.0', port: 5060 },
      publicAddress: null,
      unreachableWarning: null,
      rejectedInvites: {
        total: 12,
        last: [{ time: 1, source: '192.0.2.66:5070', from: 'sip:100@evil', requestUri: 'sip:9999@203.0.113.9', reason: 'not from the registrar or outbound proxy' }],
      },
    });
    await vi.waitFor(() => expect(screen.getByTestId('sip-refused').textContent).toBe('12'));
    expect(screen.getByTestId('sip-refused-list').textContent).toContain('192.0.2.66:5070 → sip:9999@203.0.113.9: not from the registrar or outbound proxy');
    fake.emit('network.changed', { sipLocal: null, publicAddress: null, unreachableWarning: null, rejectedInvites: { total: 'x', last: 3 } } as unknown as NetworkStatus);
    await vi.waitFor(() => expect(screen.getByTestId('sip-refused').textContent).toBe('0'));
    expect(screen.queryByTestId('sip-refused-list')).toBeNull();
  });

  it('ignores a malformed status from the core instead of breaking', async () => {
    const fake = new FakeApi();
    await start(fake);
    fake.emit('network.changed', { sipLocal: { address: 5 }, publicAddress: 'x', unreachableWarning: 42 } as unknown as NetworkStatus);
    await fireEvent.click(screen.getByRole('tab', { name: 'Network' }));
    expect(screen.getByTestId('sip-local').textContent).toBe('SIP is not running');
    expect(screen.queryByTestId('nat-banner')).toBeNull();
  });
});

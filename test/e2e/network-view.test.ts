// The Network view in the browser UI: a user sets up the account for a real Kamailio and a STUN server (a
// real coturn) on the Topology tab in one go, opens Network, sees the local SIP address and where the
// registrar sees it, presses "Test NAT" and sees the mapping coturn reported (loopback: no NAT, so the
// public address of the probed RTP port is the local one).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCoturn, type CoturnServer } from '../support/coturn';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { printOnFailure } from '../support/on-failure';
import { openUi, screenshot, type UiSession } from './ui-harness';

let kam: KamailioServer;
let turn: CoturnServer;
let ui: UiSession | null = null;

beforeAll(async () => {
  [kam, turn] = await Promise.all([startKamailio(), startCoturn()]);
});
afterEach(async () => {
  await ui?.close();
  ui = null;
});
afterAll(async () => {
  await Promise.all([kam?.stop(), turn?.stop()]);
});

describe('Network view', () => {
  it('shows the SIP addresses and the STUN mapping after "Test NAT"', async () => {
    printOnFailure(kam, turn);
    ui = await openUi({ name: 'alice (ui)', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    const stun = `${turn.address}:${turn.port}`;

    // One visit to the settings: the account, then the STUN server on the Topology tab.
    await page.getByRole('button', { name: 'Account settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'SIP Account' });
    await dialog.waitFor();
    await page.locator('#acc-userId').fill('alice');
    await page.locator('#acc-domain').fill(kam.domain);
    await page.locator('#acc-password').fill('alicepw');
    await dialog.getByRole('tab', { name: 'Topology' }).click();
    await page.locator('#top-stunServer').fill(stun);
    await screenshot(page, 'topology-tab');
    await dialog.getByRole('button', { name: 'OK', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('registration-text').textContent(), { timeout: 10_000 }).toBe('Registered');

    // One click from the main window.
    await page.getByRole('tab', { name: 'Network' }).click();
    const sipAddress = `127.0.0.1:${ui.sipPort}`;
    expect(await page.getByTestId('sip-local').textContent()).toBe(sipAddress);
    // Kamailio's force_rport: received/rport in the REGISTER's 200 OK (RFC 3581), our own address on loopback.
    await expect.poll(() => page.getByTestId('sip-public').textContent(), { timeout: 10_000 }).toBe(sipAddress);
    expect(await page.getByText('No NAT between this PC and the registrar.').count()).toBe(1);
    expect(await page.getByText(`STUN server: ${stun}`).count()).toBe(1);

    await page.getByRole('button', { name: 'Test NAT' }).click();
    const result = page.getByTestId('nat-result');
    await result.waitFor({ timeout: 15_000 });
    // The probe port is in the RTP range (10000-20000 by default) and coturn saw it unchanged.
    const rtpRow = page.getByRole('row', { name: /^RTP port/ });
    const [localCell, publicCell] = await rtpRow.getByRole('cell').allTextContents();
    expect(localCell).toMatch(/^127\.0\.0\.1:\d+$/);
    const rtpPort = Number(localCell?.split(':')[1]);
    expect(rtpPort % 2).toBe(0);
    expect(rtpPort).toBeGreaterThanOrEqual(10000);
    expect(rtpPort).toBeLessThan(20000);
    expect(publicCell).toBe(localCell);
    expect(await page.getByTestId('sip-mapped').textContent()).toBe(`${sipAddress} (seen by the registrar)`);
    expect(await page.getByTestId('nat-behavior').textContent()).toBe('No NAT');
    expect(await result.textContent()).toContain('the mapping is endpoint-independent');
    await screenshot(page, 'network-view');
  });
});

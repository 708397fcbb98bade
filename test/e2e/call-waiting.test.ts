// Issue 11, point 1 in the browser UI: bob calls the UI's account alice through Kamailio and is
// answered; carol calls meanwhile and shows as a waiting call with Hold & Answer / End & Answer /
// Decline. Hold & Answer puts bob on hold (both cards stay, each with its own name), Resume on bob's
// card swaps, and hanging up bob leaves carol's card with carol's name. Signalling and UI only: the
// audio of held and live calls is checked by content in test/integration/several-calls.test.ts.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Baresip } from '../support/baresip';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { startRegisteredPeer } from './registered-peer';
import { connectedFor, fillAccount, openUi, screenshot, type UiSession } from './ui-harness';

let kam: KamailioServer;
let dir: string;
let ui: UiSession | null = null;
const peers: Baresip[] = [];

beforeAll(async () => {
  kam = await startKamailio();
  dir = makeTempDir('e2e-call-waiting-');
});
afterEach(async () => {
  await ui?.close();
  await Promise.all(peers.splice(0).map((p) => p.stop()));
  ui = null;
});
afterAll(async () => {
  await kam?.stop();
  removeDir(dir);
});

describe('call waiting in the browser UI', () => {
  it('Hold & Answer holds the first call and answers the second; Resume swaps; each card keeps its caller', async () => {
    printOnFailure(kam);
    ui = await openUi({
      name: 'alice (ui)',
      env: { SOFTPHONE_AUDIO_PLAY: writeToneWav(dir, TONE_A_HZ), SOFTPHONE_AUDIO_LOOP: '1', SOFTPHONE_AUDIO_RECORD: join(dir, 'ui-speaker.wav') },
    });
    const { page } = ui;
    await fillAccount(page, { userId: 'alice', domain: kam.domain, password: 'alicepw', displayName: 'Alice' });
    await expect.poll(() => page.getByTestId('registration-text').textContent(), { timeout: 10_000 }).toBe('Registered');

    const bob = await startRegisteredPeer(kam, { user: 'bob', playWav: writeToneWav(dir, TONE_B_HZ) });
    peers.push(bob);
    printOnFailure(bob);
    await bob.command('uafind', `sip:bob@${kam.domain}`);
    await bob.dial(`sip:alice@${kam.domain}`);
    await page.getByRole('region', { name: 'Incoming call' }).getByRole('button', { name: 'Answer' }).click();
    await bob.waitForEvent('CALL_ESTABLISHED', 10_000);

    const carol = await startRegisteredPeer(kam, { user: 'carol', playWav: writeToneWav(dir, TONE_B_HZ) });
    peers.push(carol);
    printOnFailure(carol);
    await carol.command('uafind', `sip:carol@${kam.domain}`);
    await carol.dial(`sip:alice@${kam.domain}`);
    const waiting = page.getByTestId('waiting-call');
    await waiting.waitFor({ timeout: 10_000 });
    expect(await waiting.textContent()).toContain('carol');
    expect(await waiting.getByRole('button').allTextContents()).toEqual(['Hold & Answer', 'End & Answer', 'Decline'].map((t) => expect.stringContaining(t)));
    await screenshot(page, 'call-waiting');

    await waiting.getByRole('button', { name: 'Hold & Answer' }).click();
    await carol.waitForEvent('CALL_ESTABLISHED', 10_000);
    const cards = page.getByTestId('call-card');
    const states = async () => (await cards.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    await expect.poll(async () => (await states()).map((t) => /^(\w+).*?(On hold|Connected)/.exec(t)?.slice(1, 3).join(' ')), { timeout: 10_000 }).toEqual(['bob On hold', 'carol Connected']);
    await screenshot(page, 'two-calls');

    // Resume bob: carol goes on hold.
    await cards.nth(0).getByRole('button', { name: 'Resume' }).click();
    await expect.poll(async () => (await states()).map((t) => /^(\w+).*?(On hold|Connected)/.exec(t)?.slice(1, 3).join(' ')), { timeout: 10_000 }).toEqual(['bob Connected', 'carol On hold']);
    expect(connectedFor(await cards.nth(0).getByTestId('call-state').textContent())).not.toBeNull();

    // Hanging up bob leaves carol's card, with carol's name.
    await cards.nth(0).getByRole('button', { name: 'Hang up' }).click();
    await bob.waitForEvent('CALL_CLOSED', 10_000);
    await expect.poll(async () => (await states()).map((t) => /^(\w+).*?(On hold|Connected)/.exec(t)?.slice(1, 3).join(' ')), { timeout: 10_000 }).toEqual(['carol On hold']);
    await cards.nth(0).getByRole('button', { name: 'Hang up' }).click();
    await carol.waitForEvent('CALL_CLOSED', 10_000);
  }, 90_000);
});

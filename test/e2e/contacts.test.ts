// Issue 11, part 7, in the browser UI with a real peer (our CLI `listen`, direct IP): a vCard file chosen
// in the Contacts tab is imported (a second import of it adds nobody), a star makes a favourite (listed
// first), search narrows the list, the dial field suggests a contact by name, and the contact's Call
// button places a real call that the peer answers.
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { openUi, screenshot, type UiSession } from './ui-harness';

let ui: UiSession | null = null;
afterEach(async () => {
  await ui?.close();
  ui = null;
  await stopAllSoftphones();
});

const vcard = (bobUri: string): string =>
  [
    'BEGIN:VCARD', 'VERSION:3.0', 'FN:김철수', 'N:김;철수;;;', 'TEL;TYPE=cell:+82 10 1234 5678', 'END:VCARD',
    'BEGIN:VCARD', 'VERSION:4.0', 'FN:Bob Builder', `IMPP:${bobUri}`, 'TEL;TYPE=work:+1 555 0100', 'END:VCARD',
    '',
  ].join('\r\n');

describe('contacts in the browser UI', () => {
  it('imports a vCard, stars a favourite, searches, suggests in the dial field and calls a contact', async () => {
    const bobPort = await freeUdpPort();
    const rtp = await freePortRange(10);
    const bob = startSoftphone(
      ['listen', '--port', String(bobPort), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--max-calls', '1'],
      { name: 'bob' },
    );
    printOnFailure(bob);
    await bob.waitFor('listening');
    const bobUri = `sip:bob@127.0.0.1:${bobPort}`;

    ui = await openUi({ name: 'ui', env: { SOFTPHONE_AUDIO: 'null' } });
    const { page } = ui;
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await expect.poll(() => page.getByText('No contacts yet').count()).toBe(1);
    const file = { name: 'team.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcard(bobUri), 'utf8') };
    await page.getByTestId('contacts-file').setInputFiles(file);
    await expect.poll(() => page.locator('.contacts [role=status]').textContent(), { timeout: 10_000 }).toBe('Imported 2 contacts; 0 already in the list; 0 skipped.');
    const rows = page.getByTestId('contact-row');
    // Sorted by name (no favourite yet): Latin before Hangul.
    await expect.poll(async () => (await rows.locator('.name').allTextContents()).map((s) => s.trim())).toEqual(['Bob Builder', '김철수']);
    expect(await rows.nth(0).textContent()).toContain(`${bobUri} · Work +1 555 0100`);

    // The same file again: nobody new.
    await page.getByTestId('contacts-file').setInputFiles(file);
    await expect.poll(() => page.locator('.contacts [role=status]').textContent(), { timeout: 10_000 }).toBe('Imported 0 contacts; 2 already in the list; 0 skipped.');
    await expect.poll(() => rows.count()).toBe(2);

    // A star makes 김철수 a favourite, listed first.
    await page.getByRole('button', { name: 'Favourite: 김철수' }).click();
    await expect.poll(async () => (await rows.locator('.name').allTextContents()).map((s) => s.trim())).toEqual(['김철수', 'Bob Builder']);
    expect(await page.getByRole('button', { name: 'Favourite: 김철수' }).getAttribute('aria-pressed')).toBe('true');

    // Search by number narrows the list; cleared, both come back.
    const search = page.getByLabel('Search by name, address or number');
    await search.fill('0100');
    await expect.poll(async () => (await rows.locator('.name').allTextContents()).map((s) => s.trim())).toEqual(['Bob Builder']);
    await search.fill('');
    await expect.poll(() => rows.count()).toBe(2);
    await screenshot(page, 'contacts');

    // The dial field suggests the contact's address when its name is typed.
    await page.getByRole('tab', { name: 'Phone' }).click();
    await page.locator('#dial-target').fill('Bob');
    await expect.poll(() => page.locator('#dial-recent option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toContain(bobUri);
    await page.locator('#dial-target').fill('');

    // Call from the contact: bob's process gets our INVITE and answers; the card shows the contact's name.
    await page.getByRole('tab', { name: 'Contacts' }).click();
    await page.getByRole('button', { name: 'Call Bob Builder' }).click();
    const incoming = await bob.waitFor('incoming');
    expect(String(incoming['from'])).toMatch(/^sip:[^@]+@127\.0\.0\.1/);
    await bob.waitFor('connected');
    const card = page.getByTestId('call-card');
    await expect.poll(() => card.first().getByTestId('call-state').textContent(), { timeout: 10_000 }).toMatch(/^Connected/);
    expect(await card.first().textContent()).toContain('Bob Builder');
    await card.first().getByRole('button', { name: 'Hang up' }).click();
    await bob.waitFor('ended');
  });
});

// Issue 11, part 6: a chat in the browser UI with a real peer, our own `softphone listen` driven by its
// stdin control channel (message.send). By IP, no server. Bob's message shows in the Messages tab with
// an unread count on the tab and on the conversation; opening it clears the count; the reply typed in
// the chat reaches bob's process (its "message" line carries the text) and the chat says "Sent".
import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { openUi, screenshot, type UiSession } from './ui-harness';

let ui: UiSession | null = null;
afterEach(async () => {
  await ui?.close();
  ui = null;
  stopAllSoftphones();
});

describe('chat in the browser UI', () => {
  it('shows a received message with unread counts and sends the reply to the peer', async () => {
    ui = await openUi({ name: 'alice (ui)' });
    const { page } = ui;
    await page.getByRole('tab', { name: 'Messages' }).waitFor();

    const bobPort = await freeUdpPort();
    const bob = startSoftphone(['listen', '--port', String(bobPort), '--bind', '127.0.0.1'], { name: 'bob', control: true });
    printOnFailure(bob);
    await bob.waitFor('listening');
    const sent = await bob.request('message.send', { to: `sip:alice@127.0.0.1:${ui.sipPort}`, text: 'Hi Alice, 안녕하세요' });
    expect(sent).toMatchObject({ ok: true, value: { status: 200 } });

    // The count shows on the tab while another view is on screen.
    const tab = page.getByRole('tab', { name: 'Messages (1)' });
    await tab.waitFor({ timeout: 10_000 });
    await tab.click();
    const conversations = page.getByTestId('conversations');
    await expect.poll(() => conversations.getByTestId('conversation-unread').textContent()).toBe('1');
    expect(await conversations.textContent()).toContain('Hi Alice, 안녕하세요');
    await screenshot(page, 'messages-unread');

    await conversations.getByRole('button', { name: /1 unread/ }).click();
    const chat = page.getByTestId('chat');
    await expect.poll(() => chat.getByTestId('message-in').first().textContent()).toContain('Hi Alice, 안녕하세요');
    // Read: the tab loses its count (the core cleared it and said so).
    await page.getByRole('tab', { name: 'Messages', exact: true }).waitFor({ timeout: 10_000 });

    await chat.getByPlaceholder('Type a message').fill('Hello Bob, reply from the window');
    await chat.getByPlaceholder('Type a message').press('Enter');
    const line = await bob.waitFor('message', (e) => e['text'] === 'Hello Bob, reply from the window');
    expect(String(line['from'])).toMatch(/@127\.0\.0\.1:\d+$/);
    await expect.poll(() => chat.getByTestId('message-status').last().textContent(), { timeout: 10_000 }).toBe('Sent');
    await screenshot(page, 'chat');

    // A second message from bob while the chat is open is read at once: no count comes back.
    await bob.request('message.send', { to: `sip:alice@127.0.0.1:${ui.sipPort}`, text: 'Got it' });
    await expect.poll(() => chat.getByTestId('message-in').last().textContent(), { timeout: 10_000 }).toContain('Got it');
    await expect.poll(() => page.getByRole('tab', { name: /^Messages/ }).textContent()).toBe('Messages');
  });
});

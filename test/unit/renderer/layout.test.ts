// Issue 11: "a fixed 420 px column on a wide screen". From 800 px the phone (call card, dial field,
// keypad) has its own column and the other views sit in tabs beside it; narrower, Phone is a tab.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../src-renderer/App.svelte';
import { Api } from '../../../src-renderer/lib/api';
import { i18n } from '../../../src-renderer/state/i18n.svelte';
import { Softphone } from '../../../src-renderer/state/softphone.svelte';
import { FakeApi } from './fake-api';

let phone: Softphone | null = null;

function stubWidth(width: number): void {
  vi.stubGlobal('matchMedia', (query: string) => {
    const min = /min-width:\s*(\d+)px/.exec(query);
    return {
      matches: min ? width >= Number(min[1]) : false,
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    };
  });
}

async function start(): Promise<Softphone> {
  phone = new Softphone({ api: new Api(() => new FakeApi()), mode: 'web' });
  render(App, { props: { phone } });
  await phone.start();
  return phone;
}

describe('window layout', () => {
  beforeEach(() => {
    i18n.preference = 'en';
  });
  afterEach(() => {
    phone?.dispose();
    phone = null;
    vi.unstubAllGlobals();
  });

  it('wide: the phone in its own column, History beside it, no Phone tab', async () => {
    stubWidth(1200);
    await start();
    const column = screen.getByTestId('phone-column');
    expect(within(column).getByLabelText('Number or SIP address')).toBeTruthy();
    expect(within(column).getByRole('group', { name: 'Dial pad' })).toBeTruthy();
    const tabs = screen.getAllByRole('tab').map((t) => t.textContent?.trim());
    expect(tabs).toEqual(['History', 'Messages', 'Contacts', 'Call flow', 'Audio', 'Network']);
    expect(screen.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('heading', { name: 'Call history' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('tab', { name: 'Audio' }));
    // The dial pad stays while another view is open.
    expect(within(screen.getByTestId('phone-column')).getByRole('group', { name: 'Dial pad' })).toBeTruthy();
  });

  it('narrow: one column, Phone is the first tab', async () => {
    stubWidth(320);
    await start();
    expect(screen.queryByTestId('phone-column')).toBeNull();
    expect(screen.getAllByRole('tab').map((t) => t.textContent?.trim())).toEqual(['Phone', 'History', 'Messages', 'Contacts', 'Call flow', 'Audio', 'Network']);
    expect(screen.getByRole('tab', { name: 'Phone' }).getAttribute('aria-selected')).toBe('true');
  });
});

// Runs `softphone ui` as a child process (temp data folder, free ports) and opens its URL in Debian's
// Chromium through playwright-core; tears both down, and prints the core's stderr when a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';
import { makeTempDir, removeDir } from '../support/audio-check';
import { freeUdpPort } from '../support/free-port';
import { SOFTPHONE_NODE_FLAGS } from '../support/softphone-process';

export const SOFTPHONE_BIN = resolve(__dirname, '../../bin/softphone.js');
/**
 * Where screenshots go: test-results/screenshots (ignored by git), so a test run leaves the tree clean.
 * `npm run screenshots` sets SOFTPHONE_SCREENSHOTS=docs to refresh the README's docs/screenshots on purpose.
 */
export const SCREENSHOT_DIR = resolve(__dirname, process.env.SOFTPHONE_SCREENSHOTS === 'docs' ? '../../docs/screenshots' : '../../test-results/screenshots');
export const CHROMIUM = process.env.SOFTPHONE_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** The window size the screenshots are taken at (one column below 800 px; window-layout.test.ts tries others). */
export const VIEWPORT = { width: 420, height: 760 };

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

export interface UiOptions {
  /** Extra environment for the core, e.g. SOFTPHONE_AUDIO_PLAY / SOFTPHONE_AUDIO_RECORD. */
  env?: Record<string, string>;
  /** A name for failure output. */
  name?: string;
  /** A data folder prepared by the test (e.g. a settings.json); it is the test's to remove. Default: a new empty one. */
  dataDir?: string;
}

export interface UiSession {
  /** The URL printed on the first stdout line, with ?token=. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  sipPort: number;
  dataDir: string;
  page: Page;
  context: BrowserContext;
  /** The core's stderr so far. */
  stderr(): string;
  /** The core's stderr and the page's console errors, for failure messages. */
  describe(): string;
  close(): Promise<void>;
}

/** A running `softphone ui`: its URL (first stdout line), its stderr, and a way to stop it. */
interface UiProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

async function startUiProcess(args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<UiProcess> {
  const child = spawn(process.execPath, [...SOFTPHONE_NODE_FLAGS, SOFTPHONE_BIN, 'ui', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let exited = false;
  const exit = new Promise<void>((res) =>
    child.once('exit', () => {
      exited = true;
      res();
    }),
  );
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr = (stderr + d).slice(-200_000);
  });
  const stop = async () => {
    if (exited) return;
    // SIGTERM lets it hang up and un-register; a stuck one is killed.
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await exit;
    clearTimeout(timer);
  };
  child.stdout?.setEncoding('utf8');
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => fail(new Error(`softphone ui printed no URL within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      rej(new Error(`${err.message}\n--- softphone ui stderr ---\n${stderr.slice(-6000)}`));
    };
    child.stdout?.on('data', (d: string) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      res(stdout.slice(0, nl).trim());
    });
    void exit.then(() => fail(new Error(`softphone ui exited (code ${child.exitCode}) before printing its URL`)));
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url, child, stderr: () => stderr, stop };
}

/**
 * Starts `softphone ui` on free ports with an empty data folder (a new user: no account yet) and opens
 * it in a fresh Chromium context. Call inside a test: a failure prints the core's stderr.
 */
export async function openUi(opts: UiOptions = {}): Promise<UiSession> {
  const dataDir = opts.dataDir ?? makeTempDir('softphone-e2e-');
  const sipPort = await freeUdpPort();
  const cleanups: Array<() => Promise<void> | void> = opts.dataDir ? [] : [() => removeDir(dataDir)];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        console.error(`e2e teardown: ${(err as Error).message}`);
      }
    }
  };
  const pageErrors: string[] = [];
  let proc: UiProcess | null = null;
  const describe = () =>
    `--- ${opts.name ?? 'softphone ui'} stderr ---\n${proc?.stderr().slice(-8000) ?? ''}` +
    (pageErrors.length ? `\n--- page errors ---\n${pageErrors.slice(-50).join('\n')}` : '');
  onTestFailed(() => console.error(describe()));

  try {
    // Loopback only: SIP and RTP bind 127.0.0.1 (the tests' peers are all there).
    proc = await startUiProcess(['--port', '0', '--data-dir', dataDir, '--sip-port', String(sipPort), '--bind', '127.0.0.1'], opts.env ?? {});
    const p = proc;
    cleanups.push(() => p.stop());
    const url = proc.url;
    const parsed = new URL(url);
    if (parsed.hostname !== '127.0.0.1' || !parsed.searchParams.get('token')) throw new Error(`unexpected first line: ${url}`);

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    cleanups.push(() => browser.close());
    // English, light, no motion: stable text to assert on and stable screenshots.
    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') pageErrors.push(`console.${msg.type()}: ${msg.text()}`);
    });
    await page.goto(url);
    return {
      url,
      origin: parsed.origin,
      port: Number(parsed.port),
      sipPort,
      dataDir,
      page,
      context,
      stderr: () => p.stderr(),
      describe,
      close,
    };
  } catch (err) {
    console.error(describe());
    await close();
    throw err;
  }
}

/** Saves the page as SCREENSHOT_DIR/NAME.png (docs/screenshots only under `npm run screenshots`). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  return path;
}

/** What a new user fills in on the Account tab (X-Lite's field names). */
export interface AccountFields {
  userId: string;
  domain: string;
  password: string;
  displayName?: string;
  registerWithDomain?: boolean;
}

/** Opens Account settings from the header and fills the Account tab; `shot` saves a screenshot before OK. */
export async function fillAccount(page: Page, fields: AccountFields, shot?: string): Promise<void> {
  await page.getByRole('button', { name: 'Account settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'SIP Account' });
  await dialog.waitFor();
  await page.locator('#acc-userId').fill(fields.userId);
  await page.locator('#acc-domain').fill(fields.domain);
  await page.locator('#acc-password').fill(fields.password);
  if (fields.displayName !== undefined) await page.locator('#acc-displayName').fill(fields.displayName);
  await page.locator('#acc-registerWithDomain').setChecked(fields.registerWithDomain ?? true);
  if (shot) await screenshot(page, shot);
  await dialog.getByRole('button', { name: 'OK', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** "Connected 01:05" (the call card's state line) -> 65 seconds; null for any other state. */
export function connectedFor(text: string | null): number | null {
  const m = /^Connected (?:(\d+):)?(\d{2}):(\d{2})$/.exec(text ?? '');
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/**
 * Where each pattern matches in `texts`, in order (each after the previous one); -1 from the first
 * pattern not found on. Retransmissions or extra messages in between do not matter.
 */
export function matchInOrder(texts: readonly string[], patterns: ReadonlyArray<string | RegExp>): number[] {
  const at: number[] = [];
  let from = 0;
  for (const want of patterns) {
    const i = from < 0 ? -1 : texts.findIndex((t, k) => k >= from && (typeof want === 'string' ? t.startsWith(want) : want.test(t)));
    at.push(i);
    from = i < 0 ? -1 : i + 1;
  }
  return at;
}

/** The call-flow ladder's arrows as screen readers hear them ("INVITE sent to 127.0.0.1:5060, +0 ms"). */
export async function flowArrowLabels(page: Page): Promise<string[]> {
  return page
    .getByTestId('flow-ladder')
    .getByRole('option')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

// The 127.0.0.1 web server for real: token (401 without, 200 with), host/origin checks, static files
// without traversal, and the SoftphoneApi over WebSocket (the renderer's own ws-client) driving a call
// to a real UserAgent on loopback; then `softphone ui` as a process (URL on the first stdout line).
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppCore, type AppCore } from '../../src-main/app-core/app-core';
import type { CallSnapshot, SoftphoneApi } from '../../src-main/ipc/contract';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import { createPlainSecretBox } from '../../src-main/settings/secret-box';
import { createMemoryStore } from '../../src-main/settings/settings-store';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import type { UserAgent } from '../../src-main/sip/user-agent-api';
import { startWebServer, type WebServer } from '../../src-main/web/web-server.node';
import { createWsClient, type WebSocketLike } from '../../src-renderer/lib/ws-client';
import { makeTempDir, removeDir } from '../support/audio-check';

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** Opens a raw WebSocket and reports the handshake's HTTP status (101 when accepted). */
function handshake(url: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

function wsApi(server: WebServer): SoftphoneApi & { close(): void } {
  const origin = `http://127.0.0.1:${server.port}`;
  return createWsClient(`ws://127.0.0.1:${server.port}/ws`, server.token, {
    createSocket: (url) => new WebSocket(url, { origin }) as unknown as WebSocketLike,
  });
}

function waitForCall(api: SoftphoneApi, match: (c: CallSnapshot) => boolean, ms = 10_000): Promise<CallSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching call.changed')), ms);
    const off = api.on('call.changed', (c) => {
      if (!match(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

describe('web server', () => {
  let dir: string;
  let rendererDir: string;
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(() => {
    dir = makeTempDir('web-it-');
    rendererDir = join(dir, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Softphone</title><script type="module" src="./assets/app.js"></script>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("softphone renderer");');
    writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{margin:0}');
    writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
    symlinkSync(dir, join(rendererDir, 'escape'));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(() => removeDir(dir));

  async function start(): Promise<{ core: AppCore; server: WebServer }> {
    const core = createAppCore({
      store: createMemoryStore(),
      secretBox: createPlainSecretBox(),
      createUserAgent,
      createMedia: createMediaSession,
      listAudioDevices: () => [],
      audioOverride: { kind: 'null' },
      sipPortOverride: 0,
      bindAddress: '127.0.0.1',
      version: 'web-test',
    });
    await core.start();
    cleanups.push(() => core.shutdown());
    const server = await startWebServer({ core, rendererDir });
    cleanups.push(() => server.close());
    return { core, server };
  }

  it('needs the token for every page (401), serves files with it, sets the cookie and the CSP', async () => {
    const { server } = await start();
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    for (const path of ['/', '/index.html', '/assets/app.js', `/?token=${'0'.repeat(64)}`]) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(401);
      expect(r.body).not.toContain('softphone renderer');
    }
    const page = await get(server.port, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>Softphone</title>');
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toContain(`softphone_token_${server.port}=${server.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const cookieHeader = cookie.split(';')[0] ?? '';
    const script = await get(server.port, '/assets/app.js', { Cookie: cookieHeader });
    expect(script).toMatchObject({ status: 200, body: 'console.log("softphone renderer");' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(server.port, '/assets/app.css', { Cookie: cookieHeader })).headers['content-type']).toBe('text/css; charset=utf-8');
    // No way out of the renderer folder, by dots or by symlink; another Host is refused even with the token.
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/escape/secret.txt', '/missing.js']) {
      const r = await get(server.port, path, { Cookie: cookieHeader });
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('outside the renderer');
    }
    expect((await get(server.port, `/?token=${server.token}`, { Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('guards the WebSocket: token, origin and path', async () => {
    const { server } = await start();
    const base = `ws://127.0.0.1:${server.port}`;
    const origin = `http://127.0.0.1:${server.port}`;
    expect(await handshake(`${base}/ws`, origin)).toBe(401);
    expect(await handshake(`${base}/ws?token=${'f'.repeat(64)}`, origin)).toBe(401);
    expect(await handshake(`${base}/ws?token=${server.token}`, 'https://evil.example')).toBe(403);
    expect(await handshake(`${base}/ws?token=${server.token}`)).toBe(403);
    expect(await handshake(`${base}/other?token=${server.token}`, origin)).toBe(404);
    expect(await handshake(`${base}/ws?token=${server.token}`, origin)).toBe(101);
  });

  it('speaks the SoftphoneApi over WebSocket: snapshot, a real call with events, typed errors', async () => {
    const { server } = await start();
    const peer: UserAgent = createUserAgent({ bindAddress: '127.0.0.1', port: 0, createMedia: () => createMediaSession({ audio: { kind: 'null' }, bindAddress: '127.0.0.1' }) });
    const { port: peerPort } = await peer.start();
    cleanups.push(() => peer.shutdown());
    peer.on('incoming', (call) => void call.answer());

    const api = wsApi(server);
    cleanups.push(() => api.close());
    const snap = await api.request('app.snapshot', {});
    expect(snap).toMatchObject({ ok: true, value: { version: 'web-test', calls: [], account: null } });
    expect(server.clientCount()).toBe(1);

    const states: string[] = [];
    api.on('call.changed', (c) => states.push(c.state));
    const dialed = await api.request('call.dial', { target: `sip:peer@127.0.0.1:${peerPort}` });
    if (!dialed.ok) throw new Error(JSON.stringify(dialed.error));
    await waitForCall(api, (c) => c.id === dialed.value.id && c.state === 'connected');
    const hung = await api.request('call.hangup', { callId: dialed.value.id });
    expect(hung).toMatchObject({ ok: true, value: { state: 'ended', end: { by: 'local' } } });
    // The core emits the 'ended' event before it answers, and one socket keeps the order.
    expect(states[0]).toBe('calling');
    expect(states).toContain('connected');
    expect(states.at(-1)).toBe('ended');
    const history = await api.request('history.list', {});
    expect(history).toMatchObject({ ok: true, value: [{ id: dialed.value.id, direction: 'outgoing', missed: false }] });

    const bad = await api.request('call.dtmf', { callId: dialed.value.id, digits: 'xyz' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request', fields: { digits: expect.any(String) } } });
    const unknown = await api.request('no.such' as 'app.snapshot', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
  });

  it('answers malformed frames with invalid-request and stays up', async () => {
    const { server } = await start();
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    cleanups.push(() => ws.close());
    const answers: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => {
        ws.send('not json');
        ws.send(JSON.stringify({ id: 1 }));
        ws.send(JSON.stringify({ id: 2, channel: 'call.dial', payload: { target: 5 } }));
        ws.send(JSON.stringify({ id: 3, channel: 'app.snapshot', payload: {} }));
      });
      ws.on('message', (data) => {
        answers.push(JSON.parse(data.toString()));
        if (answers.length === 4) resolve();
      });
      ws.on('error', reject);
    });
    expect(answers).toEqual([
      { id: null, result: { ok: false, error: { code: 'invalid-request', message: 'not JSON' } } },
      { id: 1, result: { ok: false, error: { code: 'invalid-request', message: 'a request needs a channel' } } },
      { id: 2, result: { ok: false, error: { code: 'invalid-request', message: 'invalid request', fields: { target: expect.any(String) } } } },
      { id: 3, result: { ok: true, value: expect.objectContaining({ version: 'web-test' }) } },
    ]);
  });
});

describe('softphone ui (process)', () => {
  it('prints the URL with the token first, serves it, and exits 0 on SIGTERM', async () => {
    const dir = makeTempDir('ui-cmd-');
    const root = join(__dirname, '..', '..');
    // Bundled like dist/cli.js (the `ui` subcommand's wiring in the CLI is not this test's subject).
    const outDir = join(root, '.tmp', `ui-command-${process.pid}-${Date.now()}`);
    const entry = join(outDir, 'entry.ts');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(entry, `import { runUiCommand } from '../../src-main/web/ui-command.node';\nrunUiCommand(process.argv.slice(2)).then((code) => process.exit(code));\n`);
    await build({ entryPoints: [entry], outfile: join(outDir, 'ui.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['naudiodon', 'sip', 'ws', 'electron', 'segfault-handler'], logLevel: 'error' });
    mkdirSync(join(dir, 'renderer'));
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>ui-command</title>');
    const child = spawn(process.execPath, [join(outDir, 'ui.js'), '--port', '0', '--data-dir', join(dir, 'data'), '--sip-port', '0', '--bind', '127.0.0.1'], {
      env: { ...process.env, SOFTPHONE_RENDERER_DIR: join(dir, 'renderer'), SOFTPHONE_AUDIO: 'null' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no URL on stdout; stderr: ${stderr}`)), 15_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) {
            clearTimeout(timer);
            resolve(out.slice(0, nl));
          }
        });
      });
      const match = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})$/.exec(firstLine);
      expect(match, firstLine).not.toBeNull();
      const port = Number(match?.[1]);
      expect((await get(port, '/')).status).toBe(401);
      const page = await get(port, `/?token=${match?.[2]}`);
      expect(page).toMatchObject({ status: 200, body: '<!doctype html><title>ui-command</title>' });
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const code = await Promise.race([exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      expect(code, stderr).toBe(0);
      expect(stderr).toContain('serving the UI');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      removeDir(dir);
      removeDir(outDir);
    }
  });
});

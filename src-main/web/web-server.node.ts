// The 127.0.0.1 web server: serves the built renderer (dist/renderer) and speaks the SoftphoneApi over
// a WebSocket at /ws, both behind a random token; the browser-side twin is src-renderer/lib/ws-client.ts.
import { randomBytes } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppCore } from '../app-core/app-core';
import { EVENT_CHANNELS } from '../ipc/channel-names';
import { createLogger, type Logger } from '../util/logger';
import { checkRequestAuth, isAllowedOrigin, securityHeaders, tokenCookie } from './web-auth';
import { mimeType, safeRelativePath } from './static-path';
import { encodeEvent, encodeResult, MAX_MESSAGE_BYTES, parseClientMessage } from './ws-protocol';

export interface WebServerOptions {
  /** The core whose API the WebSocket exposes (only its handle/on are used). */
  core: Pick<AppCore, 'handle' | 'on'>;
  /** Folder with the built renderer (index.html, assets/). */
  rendererDir: string;
  /** 0 = a free port. */
  port?: number;
  /** Fixed token (tests); default 32 random bytes as hex. */
  token?: string;
  logger?: Logger;
  maxClients?: number;
}

export interface WebServer {
  readonly port: number;
  readonly token: string;
  /** http://127.0.0.1:PORT/?token=… */
  readonly url: string;
  /** Number of connected WebSocket clients. */
  clientCount(): number;
  close(): Promise<void>;
}

/** A client that reads this slowly only gets what matters (meters are skipped, answers are not). */
const SLOW_CLIENT_BYTES = 1024 * 1024;

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const log = options.logger ?? createLogger('web');
  const token = options.token ?? randomBytes(32).toString('hex');
  const maxClients = options.maxClients ?? 16;
  const clients = new Set<WebSocket>();
  let port = 0;
  let clientSeq = 0;
  const rootReal = await realpath(options.rendererDir).catch(() => null);

  const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, head: boolean) => {
    res.writeHead(status, { ...securityHeaders(port), 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(head ? undefined : body);
  };

  async function serveFile(req: IncomingMessage, res: ServerResponse, extraHeaders: Record<string, string>): Promise<void> {
    const head = req.method === 'HEAD';
    const text = { 'Content-Type': 'text/plain; charset=utf-8', ...extraHeaders };
    const relative = safeRelativePath(req.url ?? '/');
    if (relative === null) return send(res, 404, text, 'Not found', head);
    if (!rootReal) return send(res, 503, text, 'The UI is not built yet: run `npm run build`.', head);
    const full = join(rootReal, ...relative.split('/'));
    // Symlinks inside the folder must not lead out of it either.
    const real = await realpath(full).catch(() => null);
    if (!real || (real !== rootReal && !real.startsWith(rootReal + sep))) return send(res, 404, text, 'Not found', head);
    const info = await stat(real).catch(() => null);
    if (!info?.isFile()) return send(res, 404, text, 'Not found', head);
    const body = await readFile(real);
    send(res, 200, { 'Content-Type': mimeType(real), ...extraHeaders }, body, head);
  }

  const server = createServer((req, res) => {
    const head = req.method === 'HEAD';
    const auth = checkRequestAuth({ url: req.url ?? '/', cookie: req.headers.cookie, host: req.headers.host }, token, port);
    if (!auth.ok) {
      log.debug('http refused', { reason: auth.reason, url: (req.url ?? '').split('?')[0] });
      return send(res, auth.status, { 'Content-Type': 'text/plain; charset=utf-8' }, auth.status === 401 ? 'Unauthorized: open the URL with ?token= printed by `softphone ui`.' : 'Forbidden', head);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' }, 'Method not allowed', head);
    }
    const extra: Record<string, string> = auth.viaQuery ? { 'Set-Cookie': tokenCookie(token, port) } : {};
    serveFile(req, res, extra).catch((err: Error) => {
      log.warn('http error', { error: err.message });
      if (!res.headersSent) send(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Internal error', head);
      else res.destroy();
    });
  });
  // Slow-loris and idle sockets: this server has one user on loopback.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, headBuffer) => {
    socket.on('error', () => socket.destroy());
    const auth = checkRequestAuth({ url: req.url ?? '/', cookie: req.headers.cookie, host: req.headers.host }, token, port);
    const path = (req.url ?? '').split('?')[0];
    if (!auth.ok) return rejectUpgrade(socket, auth.status, auth.status === 401 ? 'Unauthorized' : 'Forbidden');
    if (!isAllowedOrigin(req.headers.origin, port)) return rejectUpgrade(socket, 403, 'Forbidden');
    if (path !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    if (clients.size >= maxClients) return rejectUpgrade(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, headBuffer, (ws) => onClient(ws));
  });

  function onClient(ws: WebSocket): void {
    const id = `ws-${++clientSeq}`;
    clients.add(ws);
    log.info('ui connected', { client: id });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.send(encodeResult(null, { ok: false, error: { code: 'invalid-request', message: 'text frames only' } }));
        return;
      }
      const message = parseClientMessage(data.toString());
      if (!message.ok) {
        ws.send(encodeResult(message.id, { ok: false, error: message.error }));
        return;
      }
      options.core
        .handle(message.channel, message.payload, { transport: 'ws', id })
        .then((result) => {
          if (ws.readyState === ws.OPEN) ws.send(encodeResult(message.id, result));
        })
        .catch((err: Error) => {
          // handle() never rejects by contract; this only guards against a broken core.
          if (ws.readyState === ws.OPEN) ws.send(encodeResult(message.id, { ok: false, error: { code: 'failed', message: err.message } }));
        });
    });
    ws.on('close', () => {
      clients.delete(ws);
      log.info('ui disconnected', { client: id });
    });
    ws.on('error', (err) => log.warn('websocket error', { client: id, error: err.message }));
  }

  const unsubscribe = EVENT_CHANNELS.map((event) =>
    options.core.on(event, (payload) => {
      if (clients.size === 0) return;
      const text = encodeEvent(event, payload);
      for (const ws of clients) {
        if (ws.readyState !== ws.OPEN) continue;
        if (event === 'audio.level' && ws.bufferedAmount > SLOW_CLIENT_BYTES) continue;
        ws.send(text);
      }
    }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  server.on('error', (err) => log.error('http server error', { error: err.message }));

  let closing: Promise<void> | null = null;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    clientCount: () => clients.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const off of unsubscribe) off();
        for (const ws of clients) ws.close(1001, 'server shutting down');
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
        // Clients that do not finish the close handshake are cut off.
        setTimeout(() => {
          for (const ws of clients) ws.terminate();
        }, 1000).unref();
      });
      return closing;
    },
  };
}

// The renderer's origin: app://softphone/, served from dist/renderer by protocol.handle with the CSP on every
// response. One origin and one policy (a file:// page got its CSP only from a meta tag, since webRequest
// headers do not reach file://), no file:// privileges, and nothing outside the renderer folder is served.
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { APP_SCHEME, rendererPathForUrl } from './window-policy';

/**
 * Must run before app 'ready'. standard: relative URLs and an origin like https; secure: counts as a
 * secure context; supportFetchAPI: the page's module scripts load through fetch. No service workers,
 * no CORS bypass, no stream/code-cache extras.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** After 'ready': answers app:// requests with the renderer's files. */
export function serveRenderer(rendererRoot: string, csp: string): void {
  const root = resolve(rendererRoot);
  const headers = (contentType: string) => ({
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  });
  const notFound = () => new Response('not found', { status: 404, headers: headers('text/plain; charset=utf-8') });
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound();
    const target = rendererPathForUrl(request.url);
    if (!target) return notFound();
    const file = resolve(root, ...target.path.split('/'));
    // rendererPathForUrl already refuses dot segments; this is the second lock on the same door.
    if (!file.startsWith(root + sep)) return notFound();
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(target.contentType) });
    } catch {
      return notFound();
    }
  });
}

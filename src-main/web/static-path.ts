// Maps a request path to a file under the renderer folder (never outside it) and a file to its MIME type.

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
  '.webmanifest': 'application/manifest+json',
};

export function mimeType(path: string): string {
  const dot = path.lastIndexOf('.');
  const ext = dot >= 0 && dot > path.lastIndexOf('/') ? path.slice(dot).toLowerCase() : '';
  return MIME[ext] ?? 'application/octet-stream';
}

/**
 * The request path as a relative path of '/'-separated segments, or null when it could leave the root:
 * "..", encoded slashes or backslashes, NUL, drive letters, hidden files. "/" is index.html.
 */
export function safeRelativePath(requestUrl: string): string | null {
  const rawPath = requestUrl.split(/[?#]/)[0] ?? '';
  if (!rawPath.startsWith('/')) return null;
  const segments: string[] = [];
  for (const rawSegment of rawPath.split('/')) {
    if (rawSegment === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(rawSegment);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || segment.startsWith('.')) return null;
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
    if (/[\\/:]/.test(segment) || /[\u0000-\u001f\u007f]/.test(segment)) return null;
    segments.push(segment);
  }
  if (segments.length === 0) return 'index.html';
  return segments.join('/');
}

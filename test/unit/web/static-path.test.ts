// Static file paths stay under the renderer folder; MIME types are right.
import { describe, expect, it } from 'vitest';
import { mimeType, safeRelativePath } from '../../../src-main/web/static-path';

describe('static paths', () => {
  it('maps request paths to relative files', () => {
    expect(safeRelativePath('/')).toBe('index.html');
    expect(safeRelativePath('/?token=abc')).toBe('index.html');
    expect(safeRelativePath('/assets/index-AbC123.js?v=1')).toBe('assets/index-AbC123.js');
    expect(safeRelativePath('/assets//app%20x.css')).toBe('assets/app x.css');
  });

  it('refuses traversal in every spelling', () => {
    for (const bad of ['/../etc/passwd', '/assets/../../x', '/%2e%2e/x', '/assets/%2f..%2fx', '/a%5c..%5cb', '/..%5c..%5cwin.ini', '/.env', '/x%00.js', 'relative', '/C:/windows', '/%E0%A4%A']) {
      expect(safeRelativePath(bad), bad).toBeNull();
    }
  });

  it('knows the MIME types of a built renderer', () => {
    expect(mimeType('index.html')).toBe('text/html; charset=utf-8');
    expect(mimeType('assets/index.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('assets/index.css')).toBe('text/css; charset=utf-8');
    expect(mimeType('icon.svg')).toBe('image/svg+xml');
    expect(mimeType('font.woff2')).toBe('font/woff2');
    expect(mimeType('assets.d/noext')).toBe('application/octet-stream');
  });
});

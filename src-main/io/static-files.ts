/**
 * The built renderer's files, served the same way by the loopback host (browser mode) and by the Electron shell's
 * `app://bundle/` protocol: a request target is mapped to a file inside the renderer folder or refused (400 for a
 * malformed or traversing target, 404 for anything that is not a known kind of file inside the folder), and every
 * file goes out with the same headers, the Content-Security-Policy among them. No Electron or network imports, so
 * both faces and the tests can use it.
 */
import { extname, resolve, sep } from 'node:path';

/** The production CSP: the app's own scripts and styles, WebAssembly for TensorFlow.js, no other origin. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Longest request target accepted (bytes); the renderer's own are under 200. */
export const MAX_TARGET_LENGTH = 2048;

export type StaticTarget = { file: string; contentType: string } | { status: 400 | 404 | 414 };

/**
 * Maps a request target (`/assets/index-abc.js?x`, percent-encoded as it came) to a file inside `root`. Refuses
 * targets that are not origin-form, too long, not decodable (`/%zz`), or that carry NUL, backslashes or `..`
 * segments (400); anything else outside `root` or of an unknown kind is 404. Never throws.
 */
export function resolveStaticTarget(root: string, target: string): StaticTarget {
  if (target.length > MAX_TARGET_LENGTH) return { status: 414 };
  if (!target.startsWith('/')) return { status: 400 };
  const rawPath = target.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { status: 400 };
  }
  if (/[\0\\]/.test(path) || path.split('/').some((segment) => segment === '..')) return { status: 400 };
  const base = resolve(root);
  const file = resolve(base, path === '/' ? 'index.html' : `.${path}`);
  const contentType = MIME[extname(file).toLowerCase()];
  if (!file.startsWith(base + sep) || !contentType) return { status: 404 };
  return { file, contentType };
}

/** The headers every served file carries. */
export function staticHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root.js';

// Plain files in src/shared/admin/page, served as they are: no CDN, nothing from outside.
const DIR = join(PROJECT_ROOT, 'src/shared/admin/page');

export const PAGE_ASSETS: Record<string, string> = {
  'carve.html': 'text/html; charset=utf-8',
  'carve.css': 'text/css; charset=utf-8',
  'carve.js': 'text/javascript; charset=utf-8',
};

/**
 * The page runs only its own script and style, talks only to this origin, and may not be
 * framed: a page that shows an admin's view of the system should not be easy to borrow.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const cache = new Map<string, string>();

/**
 * pageAsset reads one of the page's files once, and from memory after.
 *
 * @example app.get('/', (c) => c.html(pageAsset('carve.html')))
 */
export function pageAsset(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(join(DIR, file), 'utf8');
    cache.set(file, text);
  }
  return text;
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Env, Hono } from 'hono';

// Served from the installed swagger-ui-dist, not a CDN, so /docs works offline and
// behind firewalls, and the page loads no third-party script.
const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const page = (title: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

const init = (specUrl: string) =>
  `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui', deepLinking: true });`;

/**
 * mountApiDocs serves the API reference at /docs for the OpenAPI document at specUrl.
 *
 * @example mountApiDocs(app, { title: 'Carve', specUrl: '/openapi.json' })
 */
export function mountApiDocs<E extends Env>(app: Hono<E>, { title, specUrl }: { title: string; specUrl: string }): void {
  const cached = new Map<string, string>();
  app.get('/docs', (c) => c.html(page(title)));
  app.get('/docs/init.js', (c) => c.body(init(specUrl), 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  for (const [file, type] of Object.entries(ASSETS)) {
    app.get(`/docs/${file}`, (c) => {
      if (!cached.has(file)) cached.set(file, readFileSync(join(dist, file), 'utf8'));
      return c.body(cached.get(file)!, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    });
  }
}

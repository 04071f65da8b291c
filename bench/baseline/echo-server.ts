import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// The floor: the cheapest JSON POST Hono and Node can answer, to set every other figure against.
const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
app.post('/echo', async (c) => c.json(await c.req.json(), 201));

serve({ fetch: app.fetch, hostname: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { nextSteps } from './next-steps.js';

// The call graph the composition root declares: orders calls three modules, the rest none.
const modules = [
  { name: 'identity', uses: [], notifies: ['notifications'] },
  { name: 'catalog', uses: [] },
  { name: 'payments', uses: [] },
  { name: 'notifications', uses: [] },
  { name: 'orders', uses: ['catalog', 'payments'], notifies: ['notifications'] },
];
const from = 'sqlite:./data/orders.db';
const to = 'postgres://carve:s3cret@db:5432/orders';

describe('the next steps printed after a move', () => {
  it('gives an extracted service a URL for every module it calls, and identity for tokens', () => {
    const config = loadConfig({ PORT: '3000', PAYMENTS_URL: 'http://payments.internal:8080', SERVICE_SECRET: 'x'.repeat(32) });
    const text = nextSteps({ command: 'extract', module: 'orders', from, to, modules, config });

    expect(text).toContain(
      'DATABASE_URL=\'postgres://carve:***@db:5432/orders\' SERVICE_SECRET="$SERVICE_SECRET" IDENTITY_URL=http://127.0.0.1:3000 ' +
        'CATALOG_URL=http://127.0.0.1:3000 PAYMENTS_URL=http://payments.internal:8080 NOTIFICATIONS_URL=http://127.0.0.1:3000 ' +
        'PORT=3005 npm run service -- orders',
    );
    expect(text).toContain('ORDERS_URL=http://127.0.0.1:3005 SERVICE_SECRET="$SERVICE_SECRET"');
    expect(text).toContain('put yours back in');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('x'.repeat(32));
  });

  it('sends a publisher\'s events to the broker when EVENTS_URL is set, instead of to each subscriber', () => {
    const config = loadConfig({ PORT: '3000', EVENTS_URL: 'nats://127.0.0.1:4222' });
    const text = nextSteps({ command: 'extract', module: 'orders', from, to, modules, config });
    expect(text).toContain('PAYMENTS_URL=http://127.0.0.1:3000 EVENTS_URL=nats://127.0.0.1:4222 PORT=');
    expect(text).not.toContain('NOTIFICATIONS_URL');
  });

  it('tells every caller of identity where it went, and asks identity for nothing', () => {
    const text = nextSteps({
      command: 'extract',
      module: 'identity',
      from,
      to: 'sqlite:/srv/identity.db',
      modules,
      config: loadConfig({}),
    });

    expect(text).toContain(
      'DATABASE_URL=\'sqlite:/srv/identity.db\' SERVICE_SECRET="$SERVICE_SECRET" NOTIFICATIONS_URL=http://127.0.0.1:3000 PORT=3001 npm run service -- identity',
    );
    expect(text).toContain('export SERVICE_SECRET="$(openssl rand -hex 32)"');
    expect(text).toContain(
      'Any of catalog, payments, notifications, orders running as its own service needs IDENTITY_URL=http://127.0.0.1:3001 too.',
    );
  });

  it('after an absorb, points the callers back at the monolith and says whether the secret is still needed', () => {
    const config = loadConfig({
      PORT: '3000',
      CATALOG_URL: 'http://10.0.0.7:3002',
      NOTIFICATIONS_URL: 'http://10.0.0.9:3004',
      SERVICE_SECRET: 'y'.repeat(32),
    });
    const text = nextSteps({ command: 'absorb', module: 'notifications', from: to, to: from, modules, config });

    expect(text).toContain('unset NOTIFICATIONS_URL; npm start');
    expect(text).toContain('Keep SERVICE_SECRET: catalog still runs elsewhere (CATALOG_URL).');
    expect(text).toContain(
      'Any of identity, orders running as its own service needs NOTIFICATIONS_URL=http://127.0.0.1:3000 (the monolith) too.',
    );
  });
});

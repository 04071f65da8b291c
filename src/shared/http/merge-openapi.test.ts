import { describe, expect, it } from 'vitest';
import { type OpenApiDoc, lastGoodDoc, mergeOpenApi } from './merge-openapi.js';

describe('merging a remote module into the API document', () => {
  it("takes the module's own paths and the components they use, and nothing else", () => {
    const doc: OpenApiDoc = { paths: { '/api/orders': {} }, components: { schemas: { Order: {} } } };
    mergeOpenApi(
      doc,
      {
        paths: { '/api/payments': { get: {} }, '/api/payments/{id}': {}, '/api/identity/me': {}, '/api/paymentsx': {} },
        components: { schemas: { Payment: {} }, securitySchemes: { bearerAuth: {} } },
      },
      '/api/payments',
    );
    expect(Object.keys(doc.paths!).sort()).toEqual(['/api/orders', '/api/payments', '/api/payments/{id}']);
    expect(doc.components).toEqual({ schemas: { Order: {}, Payment: {} }, securitySchemes: { bearerAuth: {} } });
  });

  it('keeps the last document it got while the module cannot answer, and fails before the first', async () => {
    let up = false;
    const doc = lastGoodDoc(async () => {
      if (!up) throw new Error('payments is down');
      return { paths: { '/api/payments': {} } };
    });
    await expect(doc()).rejects.toThrow('payments is down');
    up = true;
    await expect(doc()).resolves.toEqual({ paths: { '/api/payments': {} } });
    up = false;
    await expect(doc()).resolves.toEqual({ paths: { '/api/payments': {} } });
  });
});

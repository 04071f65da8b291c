/**
 * The query that asks a process for the routes it hosts only. Without it a monolith and
 * a service that forward to each other would ask each other for their documents forever.
 */
export const HOSTED_ONLY = 'scope=hosted';

/** OpenApiDoc is the part of an OpenAPI document a gateway merges: paths and components. */
export interface OpenApiDoc {
  paths?: Record<string, unknown>;
  components?: Record<string, Record<string, unknown> | undefined>;
  [key: string]: unknown;
}

/**
 * mergeOpenApi adds a remote module's public paths, and the components they refer to,
 * to this process's document, so /openapi.json describes the same API in every topology.
 * Only paths under the module's own prefix are taken: a service also documents nothing else.
 *
 * @example mergeOpenApi(doc, await fetchDoc(payments), '/api/payments')
 */
export function mergeOpenApi(into: OpenApiDoc, from: OpenApiDoc, prefix: string): void {
  into.paths ??= {};
  for (const [path, item] of Object.entries(from.paths ?? {})) {
    if (path === prefix || path.startsWith(`${prefix}/`)) into.paths[path] = item;
  }
  for (const [kind, entries] of Object.entries(from.components ?? {})) {
    if (!entries) continue;
    into.components ??= {};
    into.components[kind] = { ...entries, ...into.components[kind] };
  }
}

/**
 * lastGoodDoc fetches a remote module's document, and answers with the last one it got
 * while the module cannot answer, so the API reference does not lose routes during an
 * outage of one module. Before any success, a failure is passed on.
 *
 * @example const doc = lastGoodDoc(() => endpoint.fetchJson('/openapi.json?scope=hosted'))
 */
export function lastGoodDoc(fetchDoc: () => Promise<OpenApiDoc>): () => Promise<OpenApiDoc> {
  let last: OpenApiDoc | undefined;
  return async () => {
    try {
      last = await fetchDoc();
    } catch (err) {
      if (!last) throw err;
    }
    return last;
  };
}

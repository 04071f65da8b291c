import fc from 'fast-check';

/** Keys that reach Object.prototype when code copies request data carelessly. */
export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** FuzzTarget is one endpoint to fuzz: where it is, a body it accepts, and the credentials worth showing it. */
export interface FuzzTarget {
  name: string;
  method: string;
  /** With `{param}` placeholders, as /openapi.json writes them. */
  path: string;
  /** A body that passes validation, so that mutating one part of it gets past the first check. */
  example?: unknown;
  /** Authorization header values that pass this endpoint's check. */
  validAuth: string[];
  /** Authorization header values that must not: forged, expired, for another module, of the wrong kind. */
  badAuth: string[];
  /** Ids that exist, so that a generated path or body sometimes names a real thing. */
  ids: string[];
}

/** FuzzRequest is one generated request, ready for `app.request`. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const NASTY = [
  '',
  ' ',
  '\u0000',
  '\t\r\n',
  '\uD800',
  '\uFFFE',
  '💥👩‍👩‍👧',
  '𝔥𝔢𝔩𝔩𝔬',
  '\u202Eevil',
  'Ǆǅ',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '%',
  '%00',
  '%E0%A4%A',
  '{{7*7}}',
  '#{7*7}',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'true',
  '[]',
  '{}',
  'tok_visa',
  ...PROTO_KEYS,
];

/** nastyString: unicode of every kind, lone surrogates, injections, and strings up to 100k characters. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.integer({ min: 200, max: 100_000 }).map((n) => 'é'.repeat(n)), weight: 1 },
);

/** numberText: numbers as JSON writes them, including ones no double holds (1e999) and ones past 2^53. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('1e999', '-1e999', '-0', '0.1', '1E+2', '9007199254740993', '123456789012345678901234567890', '-9223372036854775808', '5e-324'),
);

/** jsonText: any JSON document, written as text so keys can repeat and `__proto__` stays a plain key. */
export function jsonText(keys: string[] = []): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...PROTO_KEYS, ...keys), nastyString);
  const scalar = fc.oneof(nastyString.map((s) => JSON.stringify(s)), numberText, fc.constantFrom('true', 'false', 'null'));
  const { value } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    object: fc
      .array(fc.tuple(key, tie('value')), { maxLength: 5 })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  }));
  return value;
}

/** deepText: nesting deep enough to overflow any recursive walk of it. */
export const deepText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"__proto__":'))
  .map(([depth, open]) => open.repeat(depth) + (open === '[' ? '' : '1') + (open === '[' ? ']' : '}').repeat(depth));

const brokenJson = fc.constantFrom('{', '{"a":}', "{'a':1}", '[1,]', 'NaN', 'undefined', '\uFEFF{}', '{"a":1}x', '"open', '{"a":01}', '');

/** partPaths lists the path to every part of a JSON value, the whole included, so any part can be swapped or dropped. */
function partPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [path];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [path, ...entries.flatMap(([k, v]) => partPaths(v, [...path, k]))];
}

/** writeWith writes `value` as JSON with the part at `path` replaced by the raw text `replacement`, or left out. */
function writeWith(value: unknown, path: (string | number)[], replacement: string | undefined): string | undefined {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const items = value.map((v, i) => (i === head ? writeWith(v, rest, replacement) : JSON.stringify(v)));
    return `[${items.filter((v) => v !== undefined).join(',')}]`;
  }
  const entries = Object.entries(value as object).map(([k, v]) => [k, k === head ? writeWith(v, rest, replacement) : JSON.stringify(v)]);
  return `{${entries.filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

/** partAt reads the part of a JSON value at a path. */
const partAt = (value: unknown, path: (string | number)[]) =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), value);

/**
 * mutated: the example with one part swapped for a fuzzed value (often of the right type,
 * so it passes the schema and reaches the handler), dropped, or shadowed by prototype keys.
 */
function mutated(example: unknown, ids: string[]): fc.Arbitrary<string> {
  const paths = partPaths(example);
  const anyJson = jsonText();
  const id = ids.length ? fc.constantFrom(...ids).map((v) => JSON.stringify(v)) : anyJson;
  const replacementFor = (part: unknown) => {
    if (typeof part === 'string') return fc.oneof(nastyString.map((v) => JSON.stringify(v)), id, anyJson);
    if (typeof part === 'number') return fc.oneof(numberText, anyJson);
    return anyJson;
  };
  const exampleText = JSON.stringify(example);
  const shadowed = ([k, v]: [string, string]) =>
    exampleText.startsWith('{') && exampleText !== '{}' ? `{${JSON.stringify(k)}:${v},${exampleText.slice(1)}` : `{${JSON.stringify(k)}:${v}}`;
  return fc.oneof(
    { arbitrary: fc.constant(exampleText), weight: 1 },
    {
      arbitrary: fc
        .constantFrom(...paths)
        .chain((p) => replacementFor(partAt(example, p)).map((v) => writeWith(example, p, v) ?? exampleText)),
      weight: 6,
    },
    { arbitrary: fc.constantFrom(...paths).map((p) => writeWith(example, p, undefined) ?? ''), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(...PROTO_KEYS), anyJson).map(shadowed), weight: 2 },
    { arbitrary: fc.nat(exampleText.length).map((n) => exampleText.slice(0, n)), weight: 1 },
  );
}

const CONTENT_TYPES = [
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/problem+json',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/xml',
  '*/*',
];

/** headerValue: any value a client can put in a header: Latin-1, no NUL, CR or LF. */
export const headerValue: fc.Arbitrary<string> = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
  maxLength: 200,
});

/** Over the default BODY_LIMIT of 1 MiB; made once, as making it per request would be most of the cost. */
const OVERSIZED = `{"a":"${'x'.repeat(1_100_000)}"}`;

function body(target: FuzzTarget): fc.Arbitrary<{ text?: string | Uint8Array; type?: string }> {
  const keys = partPaths(target.example).flatMap((p) => p.filter((k): k is string => typeof k === 'string'));
  const text = fc.oneof(
    { arbitrary: target.example === undefined ? jsonText(keys) : mutated(target.example, target.ids), weight: 8 },
    { arbitrary: jsonText(keys), weight: 3 },
    { arbitrary: brokenJson, weight: 2 },
    { arbitrary: deepText, weight: 1 },
    { arbitrary: nastyString, weight: 1 },
  );
  return fc.oneof(
    { arbitrary: text.map((t) => ({ text: t, type: 'application/json' })), weight: 10 },
    { arbitrary: fc.tuple(text, fc.constantFrom(...CONTENT_TYPES)).map(([t, type]) => ({ text: t, type })), weight: 3 },
    { arbitrary: fc.tuple(text, headerValue).map(([t, type]) => ({ text: t, type })), weight: 1 },
    // Bytes, so that fetch adds no content type of its own.
    { arbitrary: text.map((t) => ({ text: new TextEncoder().encode(t) })), weight: 1 },
    { arbitrary: fc.constant({}), weight: 1 },
    { arbitrary: fc.constant({ text: OVERSIZED, type: 'application/json' }), weight: 1 },
  );
}

/** Path segments that are odd, not just unknown: encoded slashes, bad escapes, dot segments. */
const RAW_SEGMENTS = ['%', '%zz', '..', '.', '%2F', '%2e%2e', ';', 'a/b', '%00', '%C0%AF', '%EF%BF%BF', 'x'.repeat(5_000)];

/** encodeSegment percent-encodes a string for a URL; a lone surrogate goes as U+FFFD, as a client's UTF-8 encoder would send it. */
const encodeSegment = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

function path(target: FuzzTarget): fc.Arbitrary<string> {
  const param = fc.oneof(
    { arbitrary: target.ids.length ? fc.constantFrom(...target.ids) : fc.constant('x'), weight: 3 },
    { arbitrary: nastyString.map(encodeSegment), weight: 3 },
    { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 1 },
  );
  const holes = target.path.split(/\{[^}]+\}/);
  const filled = fc
    .array(param, { minLength: holes.length - 1, maxLength: holes.length - 1 })
    .map((params) => holes.map((h, i) => h + (params[i] ?? '')).join(''));
  return fc.oneof(
    { arbitrary: filled, weight: 10 },
    { arbitrary: fc.tuple(filled, fc.constantFrom('/', '//', '/x', '/..', '/%2e%2e/', '.json')).map(([p, tail]) => p + tail), weight: 1 },
    { arbitrary: filled.map((p) => p.toUpperCase()), weight: 1 },
  );
}

const QUERY_KEYS = ['q', 'limit', 'cursor', 'orderId', 'scope', '__proto__[role]', 'constructor[prototype][admin]', ...PROTO_KEYS];

const query: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  {
    arbitrary: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), nastyString), fc.oneof(nastyString, numberText)), { minLength: 1, maxLength: 4 })
      .map((pairs) => `?${pairs.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&')}`),
    weight: 4,
  },
  { arbitrary: fc.constantFrom('?', '?&&', '?=', '?%', '?limit', '?limit=1&limit=2', '?a=%zz', '?limit=1e999', '?limit=-0', '?scope=hosted'), weight: 1 },
);

const EXTRA_HEADERS = ['x-request-id', 'idempotency-key', 'x-carve-deadline', 'accept', 'accept-encoding', 'content-encoding', 'x-forwarded-for', 'cookie'];

/** A deadline header: often garbage, often well formed and ahead, sometimes well formed and long past (a 504 by design). */
const deadline = fc.oneof(
  { arbitrary: headerValue, weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', '0x10', '1e13', '-1', '1.5', '99999999999999999999'), weight: 2 },
  { arbitrary: fc.integer({ min: 10_000, max: 600_000 }).map((ms) => String(Date.now() + ms)), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 1_000_000 }).map(String), weight: 1 },
);

const extraHeaders = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom(...EXTRA_HEADERS), headerValue),
    fc.tuple(fc.constant('x-carve-deadline'), deadline),
    fc.tuple(fc.constant('idempotency-key'), fc.oneof(nastyString.map(encodeSegment), fc.uuid())),
  ),
  { maxLength: 3 },
);

function authorization(target: FuzzTarget): fc.Arbitrary<string | undefined> {
  const bad = [...target.badAuth, 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer  x.y.z', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'];
  return fc.oneof(
    { arbitrary: target.validAuth.length ? fc.constantFrom(...target.validAuth) : fc.constant(undefined), weight: 8 },
    { arbitrary: fc.constantFrom(...bad), weight: 2 },
    { arbitrary: headerValue.map((v) => `Bearer ${v}`), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'FOO'];

/**
 * fuzzRequest generates requests to one target: mostly its own method and path with
 * credentials that pass, so the fuzz reaches the handler, and around that every kind of
 * wrong input a client can send.
 *
 * @example fc.assert(fc.asyncProperty(fuzzRequest(target), (req) => check(req)))
 */
export function fuzzRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  const method = fc.oneof({ arbitrary: fc.constant(target.method), weight: 10 }, { arbitrary: fc.constantFrom(...OTHER_METHODS), weight: 1 });
  return fc
    .record({ method, path: path(target), query, auth: authorization(target), extra: extraHeaders, body: body(target) })
    .map(({ method, path, query, auth, extra, body }) => {
      const headers: Record<string, string> = Object.fromEntries(extra);
      if (auth !== undefined) headers.authorization = auth;
      // fetch refuses a body on GET and HEAD.
      const bodyless = ['GET', 'HEAD'].includes(method.toUpperCase());
      if (!bodyless && body.type !== undefined) headers['content-type'] = body.type;
      return describable({ method, path: path + query, headers, body: bodyless ? undefined : body.text });
    });
}

/** A request prints short in a failure report: a 1 MB body would bury the reason. */
function describable(req: FuzzRequest): FuzzRequest {
  const body = typeof req.body === 'string' ? req.body : req.body && new TextDecoder().decode(req.body);
  const short = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} characters)` : s);
  return Object.assign(req, {
    [fc.toStringMethod]: () => `${req.method} ${short(req.path)} ${JSON.stringify(req.headers)} ${body === undefined ? '' : short(body)}`,
  });
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { type Obj, arr, isObj, obj, str } from './values.js';

// Kustomize is not packaged by Debian, so the manifests are rendered here, for the fields
// Carve's manifests use. Anything else is reported, so the checks never pass on a rendering
// that differs from the real one.

export interface RenderedKustomization {
  objects: Obj[];
  problems: string[];
}

// namespace is accepted and ignored: it moves every object alike, which changes nothing checked here.
const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'patches', 'images', 'namespace']);

/** SMP merge keys for the lists a Deployment's pod spec merges rather than replaces. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
};

/**
 * strategicMerge applies a strategic merge patch the way kustomize does for the fields
 * Carve's manifests use: maps merge, lists of containers, env, ports and volumes merge by
 * key (the patch's items first, in its order, then the rest), other lists are replaced.
 *
 * @example strategicMerge(deployment, { spec: { replicas: 3 } })
 */
export function strategicMerge(base: unknown, patch: unknown, field = ''): unknown {
  if (isObj(base) && isObj(patch)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = strategicMerge(base[k], v, k);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    // A container's ports merge by containerPort, a Service's by port.
    const portKey = patch.some((p) => isObj(p) && 'containerPort' in p) ? 'containerPort' : 'port';
    const key = MERGE_KEYS[field] ?? (field === 'ports' ? portKey : undefined);
    if (key === undefined) return patch;
    const keyOf = (item: unknown) => obj(item)[key];
    const patched = patch.map((p) => {
      const match = base.find((b) => keyOf(b) === keyOf(p));
      return match === undefined ? p : strategicMerge(match, p);
    });
    return [...patched, ...base.filter((b) => !patch.some((p) => keyOf(p) === keyOf(b)))];
  }
  return patch;
}

/** parseYamlDocuments parses a multi-document YAML file, failing on any syntax error or non-object document. */
export function parseYamlDocuments(text: string, file: string): Obj[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null) return []; // an empty document, as after a trailing ---
    if (!isObj(value)) throw new Error(`${file}: a document is not an object (JSON 6902 patches are not modelled)`);
    return [value];
  });
}

export const idOf = (o: Obj) => `${str(o.kind)}/${str(obj(o.metadata).name)}`;

/**
 * renderKustomization builds a kustomization directory as `kustomize build` would, for the
 * fields Carve's manifests use: resources (files and directories), strategic merge patches
 * by path or inline, and images. Anything else is a problem, never silently ignored.
 *
 * @example const { objects, problems } = renderKustomization('deploy/k8s/overlays/payments-extracted')
 */
export function renderKustomization(dir: string): RenderedKustomization {
  const file = join(dir, 'kustomization.yaml');
  const shown = relative(process.cwd(), file);
  if (!existsSync(file)) return { objects: [], problems: [`${shown} does not exist`] };
  const k = obj(parse(readFileSync(file, 'utf8')));
  const problems = Object.keys(k)
    .filter((key) => !KUSTOMIZATION_FIELDS.has(key))
    .map((key) => `${shown}: the checker does not model "${key}"; teach test/support/deployment/kustomize.ts`);
  let objects: Obj[] = [];
  for (const entry of arr(k.resources).map(String)) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) {
      problems.push(`${shown}: resource ${entry} does not exist`);
    } else if (statSync(path).isDirectory()) {
      const inner = renderKustomization(path);
      objects.push(...inner.objects);
      problems.push(...inner.problems);
    } else {
      objects.push(...parseYamlDocuments(readFileSync(path, 'utf8'), relative(process.cwd(), path)));
    }
  }
  for (const raw of arr(k.patches)) {
    const entry = obj(raw);
    const label = str(entry.path) ?? 'inline patch';
    if (entry.target !== undefined) problems.push(`${shown}: ${label} has a target, which the checker does not model`);
    const path = str(entry.path) === undefined ? undefined : resolve(dir, str(entry.path)!);
    if (path !== undefined && !existsSync(path)) {
      problems.push(`${shown}: patch ${label} does not exist`);
      continue;
    }
    const text = path === undefined ? str(entry.patch) ?? '' : readFileSync(path, 'utf8');
    if (text.includes('$patch')) problems.push(`${shown}: ${label} uses $patch, which the checker does not model`);
    for (const patch of parseYamlDocuments(text, label)) {
      const index = objects.findIndex((o) => idOf(o) === idOf(patch));
      if (index === -1) problems.push(`${shown}: ${label} patches ${idOf(patch)}, which no resource defines`);
      else objects[index] = strategicMerge(objects[index], patch) as Obj;
    }
  }
  for (const raw of arr(k.images)) {
    const image = obj(raw);
    objects = objects.map((o) => rewriteImages(o, str(image.name) ?? '', str(image.newName), str(image.newTag)));
  }
  return { objects, problems };
}

function rewriteImages(o: Obj, name: string, newName?: string, newTag?: string): Obj {
  const pod = obj(obj(obj(o.spec).template).spec);
  if (!Array.isArray(pod.containers)) return o;
  const containers = pod.containers.map((c) => {
    const image = str(obj(c).image) ?? '';
    const [repo, tag] = image.split(/:(?=[^/:]+$)/) as [string, string | undefined];
    if (repo !== name) return c;
    const next = `${newName ?? repo}${newTag ?? tag ? `:${newTag ?? tag}` : ''}`;
    return { ...obj(c), image: next };
  });
  return strategicMerge(o, { spec: { template: { spec: { containers } } } }) as Obj;
}

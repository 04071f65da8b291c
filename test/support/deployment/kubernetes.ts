import { idOf } from './kustomize.js';
import type { RepoFacts } from './repo-facts.js';
import { checkTopology } from './rules.js';
import { type Container, type Topology, containerKind, listenPort, placeholder } from './topology.js';
import { type Obj, arr, obj, str } from './values.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);
const UNMODELLED_POD_KINDS = new Set(['Pod', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet']);

/** resolveKubernetesEnv expands $(NAME) as the kubelet does: only names set earlier in the list. */
function resolveKubernetesEnv(where: string, entries: unknown[], problems: string[]) {
  const env: Record<string, string> = {};
  const ingredients = new Set<string>();
  for (const raw of entries) {
    const entry = obj(raw);
    const name = str(entry.name) ?? '';
    const ref = obj(obj(entry.valueFrom).secretKeyRef);
    if (entry.valueFrom !== undefined) {
      if (entry.value !== undefined || ref.name === undefined) problems.push(`${where}: ${name} uses a valueFrom the checker does not model`);
      env[name] = placeholder(`secret ${str(ref.name)} ${str(ref.key)}`);
      continue;
    }
    env[name] = (str(entry.value) ?? '').replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, ref: string | undefined) => {
      if (ref === undefined) return '$';
      if (env[ref] === undefined) {
        problems.push(`${where}: ${name} refers to $(${ref}), which is not set above it, so Kubernetes leaves it as text`);
        return whole;
      }
      ingredients.add(ref);
      return env[ref];
    });
  }
  return { env, ingredients };
}

/**
 * kubernetesTopology reads rendered manifests: Deployments and StatefulSets are the
 * containers, Services (found by cluster DNS) are the addresses.
 *
 * @example const topology = kubernetesTopology(renderKustomization(dir).objects, facts, dir)
 */
export function kubernetesTopology(objects: Obj[], facts: RepoFacts, name: string): Topology {
  const problems: string[] = [];
  const containers: Container[] = [];
  const podLabels = new Map<string, Obj>();
  for (const o of objects) {
    const kind = str(o.kind) ?? '';
    if (UNMODELLED_POD_KINDS.has(kind)) problems.push(`${idOf(o)}: the checker does not model ${kind}s`);
    if (!WORKLOAD_KINDS.has(kind)) continue;
    const template = obj(obj(o.spec).template);
    const pod = obj(template.spec);
    podLabels.set(idOf(o), obj(obj(template.metadata).labels));
    if (pod.initContainers !== undefined) problems.push(`${idOf(o)}: the checker does not model initContainers`);
    for (const raw of arr(pod.containers)) {
      const c = obj(raw);
      const where = `${idOf(o)} container ${str(c.name)}`;
      const ckind = containerKind(str(c.image), false);
      if (ckind === undefined) {
        problems.push(`${where} runs ${str(c.image)}, which the checker knows neither as Carve nor as Postgres`);
        continue;
      }
      if (c.envFrom !== undefined) problems.push(`${where} uses envFrom; list variables under env so they can be checked`);
      const { env, ingredients } = resolveKubernetesEnv(where, arr(c.env), problems);
      const command = Array.isArray(c.command) ? c.command.map(String) : undefined;
      const args = Array.isArray(c.args) ? c.args.map(String) : undefined;
      containers.push({
        where,
        workload: idOf(o),
        kind: ckind,
        argv: ckind === 'carve' ? [...(command ?? []), ...(args ?? (command ? [] : facts.dockerfile.cmd ?? []))] : [],
        names: arr(c.env).map((e) => str(obj(e).name) ?? ''),
        ingredients,
        env: ckind === 'carve' ? { ...facts.dockerfile.env, ...env } : env,
        declaredPorts: arr(c.ports).map((p) => ({ name: str(obj(p).name), port: Number(obj(p).containerPort) })),
        needsNetworkDatabase: kind === 'Deployment' ? "a Deployment's pods share no disk" : undefined,
        k8s: { workload: o, container: c },
      });
    }
  }
  const services = objects.filter((o) => o.kind === 'Service');
  const selects = (selector: Obj, labels: Obj) =>
    Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
  return {
    name,
    containers,
    problems,
    addresses: services.flatMap((s) =>
      arr(obj(s.spec).ports).map((p) => ({ host: str(obj(s.metadata).name) ?? '', port: Number(obj(p).port) })),
    ),
    dial(host, port) {
      const [serviceName, ...domain] = host.split('.');
      if (domain.length > 0 && !/^[a-z0-9-]+(\.svc(\.cluster\.local)?)?$/.test(domain.join('.'))) {
        return { problem: `${host} is not a Service name in cluster DNS` };
      }
      const service = services.find((s) => obj(s.metadata).name === serviceName);
      if (!service) return { problem: `there is no Service named ${serviceName}` };
      const spec = obj(service.spec);
      const entry = arr(spec.ports).map(obj).find((p) => Number(p.port) === port);
      if (!entry) return { problem: `Service/${serviceName} has no port ${port}` };
      const workloads = [...podLabels].filter(([, labels]) => selects(obj(spec.selector), labels)).map(([id]) => id);
      if (workloads.length !== 1) {
        const selected = workloads.length === 0 ? 'no workload' : workloads.join(' and ');
        return { problem: `Service/${serviceName} selects the pods of ${selected}, not of one` };
      }
      const target = entry.targetPort ?? entry.port;
      const candidates = containers.filter((c) => c.workload === workloads[0]);
      const found = candidates.find((c) =>
        typeof target === 'string' ? c.declaredPorts.some((p) => p.name === target) : listenPort(c) === Number(target),
      );
      if (!found) {
        const problem = `Service/${serviceName} sends port ${port} to ${String(target)}, which no container of ${workloads[0]} declares or listens on`;
        return { problem };
      }
      const targetPort = typeof target === 'string' ? found.declaredPorts.find((p) => p.name === target)!.port : Number(target);
      if (listenPort(found) !== targetPort) {
        return { problem: `Service/${serviceName} sends port ${port} to ${targetPort}, but ${found.where} listens on ${listenPort(found)}` };
      }
      return { targets: [{ container: found, port: targetPort }] };
    },
  };
}

/** checkKubernetesPods: selectors match, pods run as non-root with requests and probes on the right paths. */
export function checkKubernetesPods(t: Topology): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of t.containers) {
    if (!c.k8s) continue;
    const { workload, container } = c.k8s;
    const spec = obj(workload.spec);
    const pod = obj(obj(spec.template).spec);
    if (!seen.has(c.workload)) {
      seen.add(c.workload);
      const labels = obj(obj(obj(spec.template).metadata).labels);
      const selector = obj(obj(spec.selector).matchLabels);
      if (Object.keys(selector).length === 0 || Object.entries(selector).some(([k, v]) => labels[k] !== v)) {
        problems.push(`${c.workload}: selector.matchLabels must be non-empty and match the pod template's labels`);
      }
      if (pod.enableServiceLinks !== false) {
        problems.push(`${c.workload}: set enableServiceLinks: false; services are found through <MODULE>_URL, not injected variables`);
      }
    }
    const security = { ...obj(pod.securityContext), ...obj(container.securityContext) };
    if (security.runAsNonRoot !== true || !(Number(security.runAsUser) > 0)) {
      problems.push(`${c.where} must set runAsNonRoot: true and a non-zero runAsUser`);
    }
    if (security.allowPrivilegeEscalation !== false) problems.push(`${c.where} must set allowPrivilegeEscalation: false`);
    const requests = obj(obj(container.resources).requests);
    if (requests.cpu === undefined || requests.memory === undefined) problems.push(`${c.where} must request cpu and memory`);
    for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
      if (container[probe] === undefined) {
        problems.push(`${c.where} has no ${probe}`);
        continue;
      }
      if (c.kind !== 'carve') continue;
      const get = obj(obj(container[probe]).httpGet);
      const path = probe === 'readinessProbe' ? '/ready' : '/health';
      const why = probe === 'livenessProbe' ? '; a database outage must not restart pods' : '';
      if (get.path !== path) problems.push(`${c.where}: ${probe} must GET ${path}${why}`);
      const port = typeof get.port === 'string' ? c.declaredPorts.find((p) => p.name === get.port)?.port : Number(get.port);
      if (port !== listenPort(c)) problems.push(`${c.where}: ${probe} checks port ${String(get.port)}, but PORT is ${listenPort(c)}`);
    }
  }
  return problems;
}

/**
 * checkSecretsDocumented: every Secret key the manifests read is created by a
 * `kubectl create secret generic <name> --from-literal=<key>=...` line in the docs.
 *
 * @example checkSecretsDocumented(objects, readFileSync('deploy/k8s/README.md', 'utf8'))
 */
export function checkSecretsDocumented(objects: Obj[], docs: string): string[] {
  const created = new Set<string>();
  for (const m of docs.replace(/\\\n/g, ' ').matchAll(/kubectl create secret generic ([a-z0-9.-]+)([^\n]*)/g)) {
    for (const key of m[2]!.matchAll(/--from-(?:literal|file)=([A-Za-z0-9._-]+)=/g)) created.add(`${m[1]}/${key[1]}`);
  }
  const problems: string[] = [];
  for (const o of objects.filter((x) => WORKLOAD_KINDS.has(str(x.kind) ?? ''))) {
    for (const c of arr(obj(obj(obj(o.spec).template).spec).containers).map(obj)) {
      for (const e of arr(c.env).map(obj)) {
        const ref = obj(obj(e.valueFrom).secretKeyRef);
        if (ref.name === undefined) continue;
        const id = `${str(ref.name)}/${str(ref.key)}`;
        if (!created.has(id)) problems.push(`${idOf(o)} reads Secret key ${id}, which no documented kubectl create secret line creates`);
      }
    }
  }
  return problems;
}

/**
 * checkKubernetes runs every rule on rendered manifests, with the docs that create their Secrets.
 *
 * @example const { objects } = renderKustomization(dir); expect(checkKubernetes(objects, facts, dir, docs)).toEqual([])
 */
export function checkKubernetes(objects: Obj[], facts: RepoFacts, name: string, docs: string): string[] {
  const topology = kubernetesTopology(objects, facts, name);
  return [...checkTopology(topology, facts), ...checkKubernetesPods(topology), ...checkSecretsDocumented(objects, docs)];
}

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type RepoFacts,
  checkCompose,
  checkDockerfile,
  checkKubernetes,
  composeTopology,
  describeCommand,
  hostedModules,
  kubernetesTopology,
  loadRepoFacts,
  parseDockerfile,
  renderKustomization,
  strategicMerge,
} from '../support/deployment/index.js';

// The deployment files are checked against the code, and every rule is shown to fail on a
// deliberately broken copy: a check that has never been seen to fail proves nothing.
// Kustomize is not packaged by Debian, so the manifests are rendered by the small
// kustomize in support/deployment/kustomize.ts (resources, strategic merge patches, images).

const ROOT = join(import.meta.dirname, '..', '..');
const BASE = join(ROOT, 'deploy/k8s/base');
const OVERLAY = join(ROOT, 'deploy/k8s/overlays/payments-extracted');
const facts = loadRepoFacts(ROOT);
const secretDocs = readFileSync(join(ROOT, 'deploy/k8s/README.md'), 'utf8');
const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

interface ComposeService {
  command?: string[];
  depends_on?: Record<string, unknown>;
  environment: Record<string, string>;
  ports?: string[];
  expose?: string[];
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface K8sContainer {
  name: string;
  args?: string[];
  env: EnvVar[];
  envFrom?: unknown[];
  ports: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}
interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec: {
    selector?: Record<string, unknown>;
    ports?: { port: number; targetPort?: string | number }[];
    template?: {
      metadata: { labels: Record<string, string> };
      spec: { containers: K8sContainer[]; securityContext?: Record<string, unknown>; enableServiceLinks?: boolean };
    };
  };
}

const composeFile = () => parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };

/** brokenCompose checks a copy of docker-compose.yml after `breakIt` has changed it. */
function brokenCompose(breakIt: (services: Record<string, ComposeService>) => void, repo: RepoFacts = facts): string[] {
  const doc = composeFile();
  breakIt(doc.services);
  return checkCompose(doc, repo);
}

const rendered = (dir: string) => renderKustomization(dir).objects as unknown as K8sObject[];
const checkManifests = (objects: K8sObject[], docs = secretDocs) =>
  checkKubernetes(objects as unknown as Record<string, unknown>[], facts, 'overlay', docs);

/** brokenOverlay checks a copy of the rendered overlay after `breakIt` has changed it. */
function brokenOverlay(breakIt: (objects: K8sObject[]) => void): string[] {
  const objects = rendered(OVERLAY);
  breakIt(objects);
  return checkManifests(objects);
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}
const containerOf = (objects: K8sObject[], deployment: string) => find(objects, 'Deployment', deployment).spec.template!.spec.containers[0]!;
const envOf = (c: K8sContainer, name: string) => c.env.find((e) => e.name === name)!;

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** k8sCopy copies deploy/k8s somewhere it can be broken, and returns that directory. */
function k8sCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'carve-k8s-'));
  temps.push(dir);
  cpSync(join(ROOT, 'deploy/k8s'), dir, { recursive: true });
  return dir;
}

describe('the deployment files agree with the code', () => {
  it('the Dockerfile starts the monolith, as a numeric non-root user, from files in the build context', () => {
    expect(checkDockerfile(facts)).toEqual([]);
    expect(describeCommand(facts.dockerfile.cmd!, facts)).toEqual({ kind: 'monolith' });
  });

  it('docker-compose.yml runs payments apart from the monolith, each on its own Postgres', () => {
    expect(checkCompose(composeFile(), facts)).toEqual([]);
    const topology = composeTopology(composeFile(), facts);
    const hosted = Object.fromEntries(topology.containers.map((c) => [c.where, hostedModules(c, facts)]));
    expect(hosted).toEqual({
      'compose service carve': ['identity', 'catalog', 'notifications', 'orders'],
      'compose service payments': ['payments'],
      'compose service postgres': [],
      'compose service payments-postgres': [],
    });
  });

  it.each([
    ['deploy/k8s/base', BASE, { 'Deployment/carve': ['identity', 'catalog', 'payments', 'notifications', 'orders'] }],
    [
      'deploy/k8s/overlays/payments-extracted',
      OVERLAY,
      { 'Deployment/carve': ['identity', 'catalog', 'notifications', 'orders'], 'Deployment/payments': ['payments'] },
    ],
  ])('%s renders, and every module runs in exactly one Deployment', (name, dir, expected) => {
    const { objects, problems } = renderKustomization(dir);
    expect(problems).toEqual([]);
    expect(checkKubernetes(objects, facts, name, secretDocs)).toEqual([]);
    const carve = kubernetesTopology(objects, facts, name).containers.filter((c) => c.kind === 'carve');
    expect(Object.fromEntries(carve.map((c) => [c.workload, hostedModules(c, facts)]))).toEqual(expected);
  });

  it("the overlay keeps the base monolith's settings and adds only where payments runs", () => {
    const names = (dir: string) => containerOf(rendered(dir), 'carve').env.map((e) => e.name).sort();
    expect(names(OVERLAY)).toEqual([...names(BASE), 'PAYMENTS_URL', 'SERVICE_SECRET'].sort());
  });

  it('merges a patch the way kustomize 5 does: patched list items first, in the patch order', () => {
    // Expected output taken from `kubectl kustomize` (kustomize v5.5.0) on these inputs.
    const base = { containers: [{ name: 'a', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { name: 'b' }] };
    const patch = { containers: [{ name: 'c' }, { name: 'a', env: [{ name: 'C', value: '3' }, { name: 'B', value: 'two' }] }] };
    expect(strategicMerge(base, patch)).toEqual({
      containers: [
        { name: 'c' },
        { name: 'a', env: [{ name: 'C', value: '3' }, { name: 'B', value: 'two' }, { name: 'A', value: '1' }] },
        { name: 'b' },
      ],
    });
  });
});

describe('the Dockerfile check reports', () => {
  const broken = (edit: (text: string) => string, repo: Partial<RepoFacts> = {}) =>
    checkDockerfile({ ...facts, ...repo, dockerfile: parseDockerfile(edit(dockerfileText)) });

  it('a default command that is not the monolith', () => {
    const problems = broken((t) => t.replace('dist/main.js"]', 'dist/service.js", "payments"]'));
    expect(problems).toContainEqual(expect.stringContaining('CMD must run the monolith'));
  });

  it('a COPY of a file that does not exist, or that .dockerignore leaves out', () => {
    expect(broken((t) => t.replace('COPY src ./src', 'COPY source ./src'))).toContainEqual('Dockerfile: COPY source, which does not exist');
    expect(checkDockerfile({ ...facts, dockerignore: [...facts.dockerignore, 'migrations'] })).toContainEqual(
      'Dockerfile: COPY migrations, which .dockerignore leaves out of the build context',
    );
  });

  it('a root or named user, an unexposed PORT, and DATA_DIR outside the volume', () => {
    const problems = broken((t) => t.replace('USER 1000:1000', 'USER node').replace('EXPOSE 3000', 'EXPOSE 8080').replace('VOLUME ["/data"]', ''));
    expect(problems).toContainEqual(expect.stringContaining('USER node: use a numeric non-root user'));
    expect(problems).toContainEqual('Dockerfile: EXPOSE 8080, but PORT is 3000');
    expect(problems).toContainEqual(expect.stringContaining('DATA_DIR (/data) must be a VOLUME'));
  });

  it('an ENV the config schema does not know or refuses, and a loopback HOST', () => {
    const problems = broken((t) => t.replace('HOST=0.0.0.0', 'HOST=127.0.0.1 DATADIR=/data').replace('PORT=3000', 'PORT=http'));
    expect(problems).toContainEqual('Dockerfile: ENV DATADIR, which Carve does not read');
    expect(problems).toContainEqual(expect.stringMatching(/^Dockerfile: ENV PORT: /));
    expect(problems).toContainEqual(expect.stringContaining('ENV HOST must be 0.0.0.0'));
  });

  it('a command that loads tsx when the image installs production dependencies only and tsx is not one', () => {
    const problems = broken((t) => t.replace('"--enable-source-maps", "dist/main.js"]', '"--import", "tsx", "src/main.ts"]'), {
      dependencies: facts.dependencies.filter((d) => d !== 'tsx'),
    });
    expect(problems).toContainEqual(expect.stringContaining('loads tsx, which is not a production dependency'));
  });

  it('a bundle the image never builds, or builds and leaves behind in the build stage', () => {
    expect(broken((t) => t.replace('RUN npm run build', ''))).toContainEqual(
      'Dockerfile: CMD runs dist/main.js, which the image never builds (no RUN npm run build)',
    );
    expect(broken((t) => t.replace('COPY --from=deps /app/dist ./dist', ''))).toContainEqual(
      'Dockerfile: CMD runs dist/main.js, but the image does not keep dist/ from the stage that builds it',
    );
  });

  it('a command that runs the monolith without the node flags npm start passes', () => {
    expect(broken((t) => t.replace('"--max-semi-space-size=8", ', ''))).toContainEqual(
      'Dockerfile: CMD runs src/main.ts without --max-semi-space-size=8, which npm start passes to node',
    );
  });

  it('an image that does not set what npm start sets in node\'s environment', () => {
    expect(broken((t) => t.replace(' \\\n    MALLOC_ARENA_MAX=2', ''))).toContainEqual(
      'Dockerfile: ENV MALLOC_ARENA_MAX=2 is missing, which npm start sets for node',
    );
    expect(broken((t) => t.replace('MALLOC_ARENA_MAX=2', 'MALLOC_ARENA_MAX=8'))).toContainEqual(
      'Dockerfile: ENV MALLOC_ARENA_MAX=2 is missing, which npm start sets for node',
    );
  });

  it('a bundle that npm run build does not make', () => {
    const problems = checkDockerfile({ ...facts, scripts: { ...facts.scripts, build: facts.scripts.build!.replace('src/main.ts ', '') } });
    expect(problems).toContainEqual('Dockerfile: CMD runs dist/main.js, which npm run build does not make');
  });
});

describe('the deployment checks report', () => {
  it('a variable name Carve does not read', () => {
    const problems = brokenCompose((s) => {
      s.carve!.environment.DATABSE_URL = 'postgres://carve:carve@postgres:5432/carve';
    });
    expect(problems).toContainEqual(expect.stringContaining('compose service carve sets DATABSE_URL, which Carve does not read'));
  });

  it('a Postgres variable on a Carve container, and a Carve variable on Postgres', () => {
    const problems = brokenCompose((s) => {
      s.payments!.environment.POSTGRES_PASSWORD = 'payments';
      s.postgres!.environment.LOG_LEVEL = 'debug';
    });
    expect(problems).toContainEqual('compose service payments sets POSTGRES_PASSWORD, which only the Postgres image reads');
    expect(problems).toContainEqual('compose service postgres sets LOG_LEVEL, which the Postgres image does not read');
  });

  it('a value the config schema refuses, a module URL without SERVICE_SECRET, and a loopback HOST', () => {
    const problems = brokenCompose((s) => {
      s.payments!.environment.LOG_LEVEL = 'verbose';
      delete s.carve!.environment.SERVICE_SECRET;
      s.carve!.environment.HOST = '127.0.0.1';
    });
    expect(problems).toContainEqual('compose service carve listens on HOST=127.0.0.1, which no other container can reach');
    expect(problems).toContainEqual(expect.stringMatching(/^compose service payments: LOG_LEVEL: /));
    expect(problems).toContainEqual(expect.stringContaining('compose service carve: SERVICE_SECRET: required when a module is remote'));
  });

  it('a declared port that is not PORT', () => {
    const problems = brokenCompose((s) => {
      s.payments!.ports = ['127.0.0.1:3001:3001'];
    });
    expect(problems).toContainEqual('compose service payments declares port 3001, but PORT is 3000');
  });

  it('a module URL to a service that is not defined, or on a port nothing listens on', () => {
    const problems = brokenCompose((s) => {
      s.carve!.environment.PAYMENTS_URL = 'http://billing:3000';
      s.payments!.environment.IDENTITY_URL = 'http://carve:4000';
    });
    expect(problems).toContainEqual(expect.stringContaining('PAYMENTS_URL=http://billing:3000/: there is no compose service named billing'));
    expect(problems).toContainEqual(expect.stringContaining('IDENTITY_URL=http://carve:4000/: compose service carve listens on 3000, not 4000'));
  });

  it('a depends_on naming a service that is not defined', () => {
    const problems = brokenCompose((s) => {
      s.payments!.depends_on = { 'billing-postgres': {} };
    });
    expect(problems).toContainEqual('compose service payments depends on billing-postgres, which is not a service');
  });

  it('a module URL to a workload that does not host that module', () => {
    const problems = brokenCompose((s) => {
      s.carve!.environment.PAYMENTS_URL = 'http://carve:3000';
    });
    expect(problems).toContainEqual('compose service carve: PAYMENTS_URL points at compose service carve, which does not host payments');
  });

  it('two processes that call each other with different SERVICE_SECRETs', () => {
    const problems = brokenCompose((s) => {
      s.payments!.environment.SERVICE_SECRET = 'another-secret-that-is-long-enough-for-the-schema';
    });
    expect(problems).toContainEqual(expect.stringContaining('hold different SERVICE_SECRETs'));
  });

  it('a module service that cannot reach identity', () => {
    const problems = brokenCompose((s) => {
      delete s.payments!.environment.IDENTITY_URL;
    });
    // The message is start-up's own (src/placement.ts): the checker runs the real placement.
    expect(problems).toContainEqual(expect.stringMatching(/^compose service payments would not start: payments calls identity.*set IDENTITY_URL/));
  });

  it('a module service without SERVICE_SECRET, which it refuses to start without', () => {
    const problems = brokenCompose((s) => {
      s.payments!.command = ['node', '--import', 'tsx', 'src/extracted/service.ts', 'identity'];
      s.payments!.environment = { PORT: '3000', DATABASE_URL: 'postgres://payments:payments@payments-postgres:5432/payments' };
    });
    expect(problems).toContainEqual('compose service payments runs a module service, which will not start without SERVICE_SECRET');
  });

  it('a module that runs in two places, each with its own data', () => {
    const problems = brokenCompose((s) => {
      delete s.carve!.environment.PAYMENTS_URL;
    });
    expect(problems).toContainEqual('docker-compose.yml: payments runs in compose service carve and compose service payments, each with data of its own');
  });

  it('a DATABASE_URL whose host is not a Postgres, or whose credentials the server does not create', () => {
    const problems = brokenCompose((s) => {
      s.carve!.environment.DATABASE_URL = 'postgres://carve:carve@payments:3000/carve';
      s.payments!.environment.DATABASE_URL = 'postgres://payments:wrong@payments-postgres:5432/ledger';
    });
    expect(problems).toContainEqual('compose service carve: DATABASE_URL points at compose service payments, which is not a Postgres');
    expect(problems).toContainEqual(expect.stringContaining('names database "ledger", but compose service payments-postgres creates "payments"'));
    expect(problems).toContainEqual("compose service payments: DATABASE_URL's password is not compose service payments-postgres's POSTGRES_PASSWORD");
  });

  it('two workloads sharing one Postgres', () => {
    const problems = brokenCompose((s) => {
      s.payments!.environment.DATABASE_URL = 'postgres://carve:carve@postgres:5432/carve';
    });
    expect(problems).toContainEqual(expect.stringContaining('share compose service postgres: give each workload a database of its own'));
  });

  it('a command for a module that does not exist, a file that does not exist, or an npm script that does not', () => {
    const withCommand = (command: string[]) =>
      brokenCompose((s) => {
        s.payments!.command = command;
      });
    expect(withCommand(['node', '--import', 'tsx', 'src/extracted/service.ts', 'billing'])).toContainEqual(
      expect.stringContaining('asks src/extracted/service.ts for module "billing"'),
    );
    expect(withCommand(['node', '--import', 'tsx', 'src/extracted/payments.ts'])).toContainEqual(
      'compose service payments runs src/extracted/payments.ts, which does not exist in the repository',
    );
    expect(withCommand(['npm', 'run', 'serve', '--', 'payments'])).toContainEqual(
      'compose service payments runs npm script "serve", which package.json does not define',
    );
    // The npm script form of the same command is accepted.
    expect(withCommand(['npm', 'run', 'service', '--', 'payments'])).toEqual([]);
  });

  it('a Service whose targetPort misses the container, or which selects two Deployments', () => {
    const wrongPort = brokenOverlay((objects) => {
      find(objects, 'Service', 'payments').spec.ports![0]!.targetPort = 8080;
    });
    expect(wrongPort).toContainEqual(expect.stringContaining('Service/payments sends port 80 to 8080, which no container of Deployment/payments'));
    const wideSelector = brokenOverlay((objects) => {
      find(objects, 'Service', 'carve').spec.selector = { 'app.kubernetes.io/name': 'carve' };
    });
    expect(wideSelector).toContainEqual(expect.stringContaining('Service/carve selects the pods of'));
  });

  it('a containerPort that is not PORT', () => {
    const problems = brokenOverlay((objects) => {
      containerOf(objects, 'payments').ports[0]!.containerPort = 8080;
    });
    expect(problems).toContainEqual('Deployment/payments container payments declares port 8080, but PORT is 3000');
  });

  it('a Deployment on SQLite, whose pods share no disk', () => {
    const problems = brokenOverlay((objects) => {
      const payments = containerOf(objects, 'payments');
      payments.env = payments.env.filter((e) => !e.name.startsWith('DATABASE_'));
    });
    expect(problems).toContainEqual(expect.stringContaining("keeps its data in SQLite, but a Deployment's pods share no disk"));
  });

  it('a $(VARIABLE) that is not set above the variable using it', () => {
    const problems = brokenOverlay((objects) => {
      const payments = containerOf(objects, 'payments');
      payments.env = [envOf(payments, 'DATABASE_URL'), ...payments.env.filter((e) => e.name !== 'DATABASE_URL')];
    });
    expect(problems).toContainEqual(expect.stringContaining('DATABASE_URL refers to $(DATABASE_PASSWORD), which is not set above it'));
    // Once it is no longer an ingredient of DATABASE_URL, DATABASE_PASSWORD is an unknown name.
    expect(problems).toContainEqual(expect.stringContaining('sets DATABASE_PASSWORD, which Carve does not read'));
  });

  it('missing or misdirected probes, a root user, no resource requests, and injected service variables', () => {
    const problems = brokenOverlay((objects) => {
      find(objects, 'StatefulSet', 'postgres').spec.selector = { matchLabels: { 'app.kubernetes.io/component': 'db' } };
      delete containerOf(objects, 'carve').securityContext!.allowPrivilegeEscalation;
      const monolith = containerOf(objects, 'carve');
      delete monolith.readinessProbe;
      monolith.livenessProbe = { httpGet: { path: '/ready', port: 'http' } };
      const payments = find(objects, 'Deployment', 'payments').spec.template!.spec;
      payments.securityContext = { runAsUser: 0 };
      delete payments.containers[0]!.resources;
      delete payments.enableServiceLinks;
    });
    expect(problems).toContainEqual("StatefulSet/postgres: selector.matchLabels must be non-empty and match the pod template's labels");
    expect(problems).toContainEqual('Deployment/carve container carve must set allowPrivilegeEscalation: false');
    expect(problems).toContainEqual('Deployment/carve container carve has no readinessProbe');
    expect(problems).toContainEqual(expect.stringContaining('Deployment/carve container carve: livenessProbe must GET /health'));
    expect(problems).toContainEqual('Deployment/payments container payments must set runAsNonRoot: true and a non-zero runAsUser');
    expect(problems).toContainEqual('Deployment/payments container payments must request cpu and memory');
    expect(problems).toContainEqual(expect.stringContaining('Deployment/payments: set enableServiceLinks: false'));
  });

  it('a Secret key that the documented setup does not create, and variables hidden in envFrom', () => {
    const undocumented = checkManifests(rendered(OVERLAY), secretDocs.replace(/.*carve-service.*\n/, ''));
    expect(undocumented).toContainEqual(expect.stringContaining('reads Secret key carve-service/secret, which no documented'));
    const hidden = brokenOverlay((objects) => {
      containerOf(objects, 'payments').envFrom = [{ configMapRef: { name: 'payments' } }];
    });
    expect(hidden).toContainEqual(expect.stringContaining('uses envFrom; list variables under env'));
  });

  it('a kustomization resource or patch file that does not exist', () => {
    const dir = k8sCopy();
    rmSync(join(dir, 'base/postgres.yaml'));
    rmSync(join(dir, 'overlays/payments-extracted/monolith-patch.yaml'));
    const { problems } = renderKustomization(join(dir, 'overlays/payments-extracted'));
    expect(problems).toContainEqual(expect.stringContaining('resource postgres.yaml does not exist'));
    expect(problems).toContainEqual(expect.stringContaining('patch monolith-patch.yaml does not exist'));
  });

  it('a patch for a resource the base does not define, and a kustomization field the checker does not model', () => {
    const dir = k8sCopy();
    const overlay = join(dir, 'overlays/payments-extracted');
    const patch = join(overlay, 'monolith-patch.yaml');
    writeFileSync(patch, readFileSync(patch, 'utf8').replace('name: carve\n', 'name: storefront\n'));
    const kustomization = join(overlay, 'kustomization.yaml');
    writeFileSync(kustomization, `${readFileSync(kustomization, 'utf8')}namePrefix: shop-\n`);
    const { problems } = renderKustomization(overlay);
    expect(problems).toContainEqual(expect.stringContaining('monolith-patch.yaml patches Deployment/storefront, which no resource defines'));
    expect(problems).toContainEqual(expect.stringContaining('the checker does not model "namePrefix"'));
  });
});

import { placeModules } from '../../../src/placement.js';
import { ConfigSchema } from '../../../src/shared/config/config.js';
import { describeCommand } from './commands.js';
import type { RepoFacts } from './repo-facts.js';
import type { Obj } from './values.js';

// Compose and Kubernetes are both first reduced to one Topology (containers, and what a
// host:port dialled inside the deployment reaches), so every rule is written once for both.

export const POSTGRES_PORT = 5432;

/** Container is one container of a deployment, with its environment as the process sees it. */
export interface Container {
  /** Where it is defined, for messages: "compose service payments", "Deployment/payments". */
  where: string;
  /** The compose service or Kubernetes workload it belongs to; replicas are one workload. */
  workload: string;
  kind: 'carve' | 'postgres';
  argv: string[];
  /** The variable names the deployment file sets, in order. */
  names: string[];
  /** Names set only to be substituted into other values ($(NAME) in Kubernetes). */
  ingredients: Set<string>;
  /** The environment: the image's ENV, then the file's; secrets as stable placeholders. */
  env: Record<string, string>;
  declaredPorts: { name?: string; port: number }[];
  /** Set when the container's data cannot live on its own disk, saying why. */
  needsNetworkDatabase?: string;
  /** The raw Kubernetes objects, for the pod checks. */
  k8s?: { workload: Obj; container: Obj };
}

export type Dialled = { targets: { container: Container; port: number }[] } | { problem: string };

/** Topology is a deployment reduced to its containers and its name resolution. */
export interface Topology {
  name: string;
  containers: Container[];
  /** The addresses other containers can dial: compose services, Kubernetes Services. */
  addresses: { host: string; port: number }[];
  /** dial says which container ports a connection to host:port inside the deployment reaches. */
  dial(host: string, port: number): Dialled;
  /** Problems found while reading the files, such as constructs the checker does not model. */
  problems: string[];
}

/** placeholder stands in for a secret: URL-safe, long enough for SERVICE_SECRET, the same for the same secret. */
export function placeholder(label: string): string {
  return `placeholder-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-`.padEnd(48, 'x');
}

const imageName = (image: string) => image.split('@')[0]!.replace(/:[^/:]+$/, '').split('/').pop()!;

export function containerKind(image: string | undefined, built: boolean): Container['kind'] | undefined {
  if (built || (image !== undefined && imageName(image) === 'carve')) return 'carve';
  if (image !== undefined && imageName(image) === 'postgres') return 'postgres';
  return undefined;
}

/** listenPort is where a container accepts connections: Carve's PORT, Postgres' 5432. */
export const listenPort = (c: Container) => (c.kind === 'postgres' ? POSTGRES_PORT : Number(c.env.PORT ?? '3000'));

/**
 * placementOf asks Carve's own placement (src/placement.ts) where a container's modules
 * run: a service hosts its one module, the monolith every module without a <MODULE>_URL.
 * It throws the PlacementError start-up would, such as a module service with no way to
 * reach a module it calls.
 */
export function placementOf(c: Container, facts: RepoFacts): string[] {
  if (c.kind !== 'carve') return [];
  const command = describeCommand(c.argv, facts);
  if (command.kind === 'invalid') return []; // checkCommands reports why
  const parsed = ConfigSchema.safeParse(Object.fromEntries(Object.entries(c.env).filter(([, v]) => v !== '')));
  if (!parsed.success) return []; // checkConfigValues reports why
  const options = command.kind === 'service' ? { host: [command.module] } : {};
  return placeModules(parsed.data, facts.modules, options).hosted.map((m) => m.name);
}

/** hostedModules is which modules a Carve container runs; none when it would not start. */
export function hostedModules(c: Container, facts: RepoFacts): string[] {
  try {
    return placementOf(c, facts);
  } catch {
    return []; // checkPlacement reports why
  }
}

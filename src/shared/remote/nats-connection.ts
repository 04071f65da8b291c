import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, connect, nanos } from '@nats-io/transport-node';

/** The one stream all modules' events pass through; each subscriber reads its own `carve.events.<module>.>`. */
export const EVENTS_STREAM = 'CARVE_EVENTS';
export const EVENTS_SUBJECTS = 'carve.events.>';
/** Every call to the broker (connect, PubAck, stream and consumer admin) gives up after this long. */
export const NATS_TIMEOUT_MS = 5_000;

/** eventSubject is where an event for one subscriber is published: `carve.events.notifications.orders.OrderPaid`. */
export const eventSubject = (destination: string, type: string) => `carve.events.${destination}.${type}`;

/** moduleName checks a module's name can be one subject token and part of a consumer name. */
export function moduleName(name: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`'${name}' cannot be a NATS subject token: module names are lower-case letters, digits and dashes`);
  return name;
}

const STREAM_CONFIG = {
  name: EVENTS_STREAM,
  subjects: [EVENTS_SUBJECTS],
  storage: StorageType.File,
  // Work-queue: an acked event is gone, an unacked one stays until its subscriber takes it, however long it is away.
  retention: RetentionPolicy.Workqueue,
  // A relay that crashed after publishing sends again; the broker drops the copy by its msgID.
  duplicate_window: nanos(2 * 60_000),
};

/** NatsLink is one process's connection to a broker, shared by its transports and consumers. */
export interface NatsLink {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** connected is false from a disconnect until the client has reconnected, so callers fail fast instead of queueing. */
  connected(): boolean;
  /** streamReady creates or updates the events stream once per (re)connection. */
  streamReady(): Promise<void>;
  /** forgetStream makes the next streamReady check the stream again, after a publish found no stream to answer. */
  forgetStream(): void;
}

const links = new Map<string, Promise<NatsLink>>();
const users = new Set<() => Promise<void>>();

/**
 * natsLink connects to the broker at `url` on first use and shares that connection.
 * The client reconnects forever, so a broker that is down for a while costs nothing but
 * waiting; a first connect that fails is forgotten, so the next call tries again.
 *
 * @example const { js } = await natsLink('nats://127.0.0.1:4222')
 */
export function natsLink(url: string): Promise<NatsLink> {
  const known = links.get(url);
  if (known) return known;
  const link = open(url);
  links.set(url, link);
  const forget = () => {
    if (links.get(url) === link) links.delete(url);
  };
  link.then((l) => l.nc.closed().then(forget), forget);
  return link;
}

async function open(url: string): Promise<NatsLink> {
  const nc = await connect({ servers: url, name: `carve-${process.pid}`, maxReconnectAttempts: -1, reconnectTimeWait: 1_000, timeout: NATS_TIMEOUT_MS });
  const js = jetstream(nc, { timeout: NATS_TIMEOUT_MS });
  const jsm = await jetstreamManager(nc, { timeout: NATS_TIMEOUT_MS, checkAPI: false });
  let up = true;
  let stream: Promise<void> | undefined;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') up = false;
      if (s.type === 'reconnect') {
        up = true;
        // The broker may have come back with an empty store.
        stream = undefined;
      }
    }
  })().catch(() => {});
  return {
    nc,
    js,
    jsm,
    connected: () => up && !nc.isClosed(),
    streamReady() {
      stream ??= ensureStream(jsm).catch((err: unknown) => {
        stream = undefined;
        throw err;
      });
      return stream;
    },
    forgetStream: () => {
      stream = undefined;
    },
  };
}

/**
 * ensureStream creates the events stream, or brings an existing one to this config.
 * The broker treats an identical create as a no-op, so processes racing to create it all succeed.
 *
 * @example await ensureStream(await jetstreamManager(nc))
 */
export async function ensureStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.add(STREAM_CONFIG);
  } catch (err) {
    // 10058: the stream exists with another config, e.g. one written by an older release.
    // Any other failure may be another process creating it at the same moment: if the
    // stream is there now, bring it to this config; if not, the failure stands.
    const exists = err instanceof JetStreamApiError && err.code === 10058 ? true : await jsm.streams.info(EVENTS_STREAM).then(() => true, () => false);
    if (!exists) throw err;
    await jsm.streams.update(EVENTS_STREAM, { subjects: STREAM_CONFIG.subjects, duplicate_window: STREAM_CONFIG.duplicate_window });
  }
}

/**
 * ensureConsumer creates a module's durable pull consumer, or brings an existing one to
 * these settings. Nothing is ever dropped by NATS (max_deliver -1): poison events are
 * the inbox's business.
 *
 * @example await ensureConsumer(jsm, 'carve-notifications', 'notifications')
 */
export async function ensureConsumer(jsm: JetStreamManager, durable: string, module: string): Promise<void> {
  const config = { ack_wait: nanos(30_000), max_deliver: -1, filter_subject: eventSubject(module, '>') };
  try {
    await jsm.consumers.add(EVENTS_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...config });
  } catch (err) {
    // Brokers from 2.10 refuse to change a consumer on create: "consumer already exists".
    if (!(err instanceof Error && /exist|in use/i.test(err.message))) throw err;
    await jsm.consumers.update(EVENTS_STREAM, durable, config);
  }
}

/** onCloseNats registers a consumer's stop, run by closeNats before the connections close; the returned function unregisters it. */
export function onCloseNats(stop: () => Promise<void>): () => void {
  users.add(stop);
  return () => users.delete(stop);
}

/**
 * closeNats stops every consumer and closes every shared connection, at shutdown or after a test.
 *
 * @example afterEach(() => closeNats())
 */
export async function closeNats(): Promise<void> {
  await Promise.allSettled([...users].map((stop) => stop()));
  const open = [...links.values()];
  links.clear();
  await Promise.allSettled(open.map(async (link) => (await link).nc.close()));
}

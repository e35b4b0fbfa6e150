// A pull-through registry built in process (memory driver, no auth) in front of a fake upstream,
// and a fake private index that publishes its namespaces (GET /registry/namespaces).
import { createServer, type Server } from 'node:http';
import { after } from 'node:test';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { registryConfigSchema, type RegistryConfigInput } from '../../src/config/schema.js';
import { createRegistry, type Registry } from '../../src/server.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

export type ProxyConfigInput = NonNullable<RegistryConfigInput['proxy']>;

export async function buildProxy(proxy: ProxyConfigInput, options: { driver?: StorageDriver; notify?: string } = {}): Promise<{ registry: Registry; driver: StorageDriver }> {
  const config = registryConfigSchema.parse({
    log: { level: 'silent' },
    storage: { memory: {}, delete: { enabled: true }, uploadPurging: { enabled: false } },
    proxy,
    ...(options.notify ? { notifications: { endpoints: [{ name: 'test', url: options.notify, backoff: '10ms' }] } } : {}),
  } satisfies RegistryConfigInput);
  const driver = options.driver ?? createMemoryDriver();
  const registry = await createRegistry(config, { driver, logger: pino({ level: 'silent' }) });
  return { registry, driver };
}

export const indexSecret = 'a-shared-secret-of-enough-length';

export interface FakeIndex {
  url: string;
  namespaces: string[];
  /** GET /registry/namespaces requests seen. */
  loads: number;
  close(): Promise<void>;
}

export async function startFakeIndex(namespaces: string[]): Promise<FakeIndex> {
  const state = { namespaces, loads: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/registry/namespaces' || req.headers.authorization !== `Bearer ${indexSecret}`) {
      res.writeHead(401).end();
      return;
    }
    state.loads++;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ namespaces: state.namespaces }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get namespaces() {
      return state.namespaces;
    },
    set namespaces(value: string[]) {
      state.namespaces = value;
    },
    get loads() {
      return state.loads;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts fake upstreams for one test file; all of them close when its tests are done. */
export function fakeUpstreamsForThisFile(): (options?: Parameters<typeof startFakeUpstream>[0]) => Promise<FakeUpstream> {
  const started: FakeUpstream[] = [];
  after(async () => {
    for (const up of started) await up.close();
  });
  return async (options = {}) => {
    const up = await startFakeUpstream(options);
    started.push(up);
    return up;
  };
}

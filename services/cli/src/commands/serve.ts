// `wharf serve`: the index and the registry together on embedded defaults (index on
// 127.0.0.1:5001, registry on 127.0.0.1:5000, data under ./data). Unless the registry's auth is
// configured otherwise, the registry runs in token mode trusting this index's published keys,
// so `docker login 127.0.0.1:5000` goes through the index's token server.
import { createIndex } from '@wharf/index';
import { createRegistry, type RegistryConfig } from '@wharf/registry';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema, type WharfConfig } from '../config/schema.js';
import { onShutdown } from './shutdown.js';

export function indexUrl(config: WharfConfig): string {
  return (config.index.http.publicUrl ?? `http://${config.index.http.addr}`).replace(/\/+$/, '');
}

/** The registry's config as serve runs it: token auth against the local index by default. */
export function servedRegistryConfig(config: WharfConfig): RegistryConfig {
  const auth = config.registry.auth;
  if (auth.none || auth.htpasswd || auth.token) return config.registry;
  const base = indexUrl(config);
  return {
    ...config.registry,
    auth: {
      token: {
        realm: `${base}/token`,
        service: config.index.token.services[0]!,
        issuer: config.index.token.issuer,
        jwks: `${base}/keys`,
        leeway: '30s',
        jwksMinRefetch: '5s',
      },
    },
  };
}

export async function runServe(configFile: string | undefined, workers = 1): Promise<number> {
  if (workers !== 1) {
    console.error('wharf: serve runs one process; use `wharf registry --workers N` beside `wharf index` to scale the registry');
    return 2;
  }
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  const index = await createIndex(config.index);
  await index.listen();
  const registry = await createRegistry(servedRegistryConfig(config));
  await registry.listen();
  onShutdown(async () => {
    await registry.close();
    await index.close();
  });
  return 0;
}

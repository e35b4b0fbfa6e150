// Azurite's blob service (the npm dev dependency, so always present) on a free loopback port,
// in memory, and the WHARF_* settings that put a registry's storage in a fresh container on it.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { launch, repoRoot, type Launched } from './launch.js';
import { answers } from './process.js';

/** Azurite's fixed development account (public, documented by Microsoft). */
const account = 'devstoreaccount1';
const accountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  endpoint: string;
  connectionString: string;
  /** Registry settings for a container of its own (a fresh random name unless given). */
  storageEnv(container?: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<RunningAzurite> {
  const main = join(repoRoot, 'node_modules/azurite/dist/src/blob/main.js');
  const server: Launched = await launch({
    name: 'azurite-blob',
    command: ([host]) => ({
      file: process.execPath,
      args: [main, '--blobHost', '127.0.0.1', '--blobPort', host!.split(':')[1]!, '--inMemoryPersistence',
        '--extentMemoryLimit', '2048', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent'],
      env: { ...process.env },
    }),
    // Any answer from the service will do: an unauthenticated list is refused, but answered.
    ready: ([host]) => answers(`http://${host}/${account}?comp=list`, [200, 400, 403]),
    portTaken: /EADDRINUSE/,
  });
  const endpoint = `http://${server.hosts[0]}/${account}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${accountKey};BlobEndpoint=${endpoint};`;
  return {
    endpoint,
    connectionString,
    storageEnv: (container = `wharf-${randomUUID()}`) => ({
      WHARF_REGISTRY_STORAGE_AZURE_CONNECTIONSTRING: connectionString,
      WHARF_REGISTRY_STORAGE_AZURE_CONTAINER: container,
    }),
    stop: server.stop,
  };
}

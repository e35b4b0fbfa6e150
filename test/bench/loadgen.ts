// The load-generator process (forked by run.ts): it alone drives the registries, so the client's
// event loop is shared with nothing else, and the parent stays free to sample the server.
// Protocol: the parent sends { id, op, args }, this answers { id, ok, result | error }.
import { performance } from 'node:perf_hooks';
import { SyntheticBlob } from './data.js';
import type { LoadOptions, Target } from './http-load.js';
import {
  makeSmallBlobs,
  probeMonolithic,
  pull,
  pushChunked,
  pushMany,
  pushSingle,
  pushSmallImage,
  requestLoad,
  type SingleUploadMode,
  type SmallBlob,
} from './workloads.js';
import { startAttack, stopAttack, type AttackArgs } from './attack.js';
import { indexCreateUsers, indexLoad, indexPrime, indexRefreshToken, indexSetup, type IndexLoadOptions, type IndexSetupArgs, type TokenArgs } from './index-workloads.js';

export interface PrepareArgs {
  blobSize: number;
  smallCount: number;
  smallSize: number;
}

export type LoadgenRequest =
  | { op: 'prepare'; args: PrepareArgs }
  | { op: 'probe'; args: { target: Target; repo: string } }
  | { op: 'push-single'; args: { target: Target; repo: string; blob: BigBlobName; mode: SingleUploadMode } }
  | { op: 'push-chunked'; args: { target: Target; repo: string; blob: BigBlobName; chunks: number } }
  | { op: 'pull'; args: { target: Target; repo: string; blob: BigBlobName; repeat: number } }
  | { op: 'push-many'; args: { target: Target; repo: string; concurrency: number; mode: SingleUploadMode } }
  | { op: 'small-image'; args: { target: Target; repo: string; mode: SingleUploadMode } }
  | { op: 'load'; args: { target: Target; options: LoadOptions } }
  | { op: 'attack-start'; args: AttackArgs }
  | { op: 'attack-stop' }
  | { op: 'index-setup'; args: IndexSetupArgs }
  | { op: 'index-users'; args: { target: Target; prefix: string; count: number; password: string; concurrency: number } }
  | { op: 'index-load'; args: { target: Target; options: IndexLoadOptions } }
  | { op: 'index-refresh-token'; args: TokenArgs }
  | { op: 'index-prime'; args: TokenArgs & { burst: number } };

/** Distinct 1 GiB blobs: one per push workload, so no push finds its content already stored. */
export type BigBlobName = 'single' | 'chunked' | 'monolithic';

const seeds: Record<BigBlobName, number> = { single: 1, chunked: 2, monolithic: 3 };
const big = new Map<BigBlobName, { blob: SyntheticBlob; digest: string }>();
let small: SmallBlob[] = [];

function bigBlob(name: BigBlobName): { blob: SyntheticBlob; digest: string } {
  const entry = big.get(name);
  if (!entry) throw new Error(`blob ${name} not prepared`);
  return entry;
}

async function handle(message: LoadgenRequest): Promise<unknown> {
  switch (message.op) {
    case 'prepare': {
      const t0 = performance.now();
      for (const [name, seed] of Object.entries(seeds) as [BigBlobName, number][]) {
        const blob = new SyntheticBlob(seed, message.args.blobSize);
        big.set(name, { blob, digest: blob.digest() });
      }
      small = makeSmallBlobs(message.args.smallCount, message.args.smallSize);
      return { seconds: (performance.now() - t0) / 1000, digests: Object.fromEntries([...big].map(([k, v]) => [k, v.digest])) };
    }
    case 'probe':
      return probeMonolithic(message.args.target, message.args.repo);
    case 'push-single': {
      const { blob, digest } = bigBlob(message.args.blob);
      return pushSingle(message.args.target, message.args.repo, blob, digest, message.args.mode);
    }
    case 'push-chunked': {
      const { blob, digest } = bigBlob(message.args.blob);
      return pushChunked(message.args.target, message.args.repo, blob, digest, message.args.chunks);
    }
    case 'pull': {
      const { blob, digest } = bigBlob(message.args.blob);
      return pull(message.args.target, message.args.repo, digest, blob.size, message.args.repeat);
    }
    case 'push-many':
      return pushMany(message.args.target, message.args.repo, small, message.args.concurrency, message.args.mode);
    case 'small-image':
      return pushSmallImage(message.args.target, message.args.repo, message.args.mode);
    case 'load':
      return requestLoad(message.args.target, message.args.options);
    case 'attack-start':
      return startAttack(message.args);
    case 'attack-stop':
      return stopAttack();
    case 'index-setup':
      return indexSetup(message.args);
    case 'index-users':
      return indexCreateUsers(message.args);
    case 'index-load':
      return indexLoad(message.args.target, message.args.options);
    case 'index-refresh-token':
      return indexRefreshToken(message.args);
    case 'index-prime':
      return indexPrime(message.args);
  }
}

process.on('message', (raw: { id: number } & LoadgenRequest) => {
  handle(raw).then(
    (result) => process.send!({ id: raw.id, ok: true, result }),
    (err: unknown) => process.send!({ id: raw.id, ok: false, error: (err as Error).stack ?? String(err) }),
  );
});
// The parent going away (even by SIGKILL) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0));

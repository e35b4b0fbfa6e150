// The "under attack" workload's attackers, run in their own load-generator process (so the
// normal client's event loop is not theirs): 2,000 stalled connections from 127.0.0.2+ (half
// headers, half manifest bodies; reopened as the server closes them) and one fan-out attacker pushing,
// in a loop, a manifest that lists one layer 25,000 times and asking for big listings.
import { Agent } from 'node:http';
import { fanOutManifest } from '../helpers/hostile-manifests.js';
import { mediaTypes } from '../helpers/images.js';
import { halfBody, halfHeaders, openStalled, type StalledConnections } from '../helpers/stalled-connections.js';
import { randomBytes, sha256 } from './data.js';
import { send, type Target } from './http-load.js';
import { uploadSingle, type SingleUploadMode } from './workloads.js';

export interface AttackArgs {
  target: Target;
  repo: string;
  stalled: number;
  mode: SingleUploadMode;
  /** Layers listed in each fan-out manifest. */
  fanOut: number;
}

export interface AttackReport {
  stalledOpened: number;
  stalledClosedByServer: number;
  stalledOpenAtEnd: number;
  /** Fan-out attacker requests by status ("error" for no answer). */
  attackerStatuses: Record<string, number>;
  attackerRequests: number;
}

interface Running {
  stalled: StalledConnections;
  stop: () => Promise<AttackReport>;
}

let running: Running | undefined;

/** Opens the stalled connections and starts the fan-out attacker; resolves once they are in place. */
export async function startAttack(args: AttackArgs): Promise<{ stalledOpen: number }> {
  if (running) throw new Error('an attack is already running');
  const { target, repo } = args;
  // A real layer for the fan-out manifests to list (the server has something to check).
  const layer = randomBytes(4711, 4096);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  await uploadSingle(target, repo, sha256(layer), layer.length, layer, args.mode);
  await uploadSingle(target, repo, sha256(config), config.length, config, args.mode);
  const manifestHeaders = { 'Content-Type': mediaTypes.ociManifest };
  const stalled = await openStalled({
    host: target.host,
    port: target.port,
    count: args.stalled,
    reopen: true,
    reopenDelayMs: 500,
    // Only requests both registries must wait on: Distribution answers a POST with a blob body
    // at once (it has no monolithic upload), which would turn a stall into an upload flood.
    prefixes: [halfHeaders('/v2/'), halfBody('PUT', `/v2/${repo}/manifests/stalled`, manifestHeaders, 1024 * 1024, 1000)],
  });

  const statuses: Record<string, number> = {};
  let requests = 0;
  let stopping = false;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const attempt = async (method: string, path: string, body?: Buffer) => {
    requests++;
    const key = await send(target, { method, path, agent, timeoutMs: 30_000, ...(body ? { body, headers: manifestHeaders } : {}) }).then(
      (reply) => String(reply.status),
      () => 'error',
    );
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  const descriptor = (content: Buffer) => ({ digest: sha256(content), size: content.length });
  const loop = (async () => {
    for (let i = 0; !stopping; i++) {
      await attempt('PUT', `/v2/${repo}/manifests/fan${i % 50}`, fanOutManifest(descriptor(config), descriptor(layer), args.fanOut, `attack-${i}`));
      if (stopping) break;
      await attempt('GET', `/v2/${repo}/tags/list?n=100000`);
      await attempt('GET', '/v2/_catalog?n=100000');
      await attempt('GET', `/v2/${repo}/referrers/${sha256(Buffer.from(`attack-${i}`))}`);
    }
  })();
  running = {
    stalled,
    stop: async () => {
      stopping = true;
      await loop;
      agent.destroy();
      const report = { stalledOpened: stalled.opened(), stalledClosedByServer: stalled.closedByServer(), stalledOpenAtEnd: stalled.open(), attackerStatuses: statuses, attackerRequests: requests };
      stalled.close();
      return report;
    },
  };
  return { stalledOpen: stalled.open() };
}

export async function stopAttack(): Promise<AttackReport> {
  if (!running) throw new Error('no attack is running');
  const { stop } = running;
  running = undefined;
  return stop();
}

// The docker CLI against a private engine (dockerd.sh `up`, started once per test
// process and left running for the next file). Credentials from `docker login` go to a temp
// DOCKER_CONFIG, never to the user's ~/.docker.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { requireClient, unavailable } from './clients.js';
import { dockerArchive, makeLayers, type Layer } from './images.js';
import { repoRoot } from './launch.js';
import { processTempDir, run, runOk, type RunOptions, type RunResult } from './process.js';

/** The engine script; DOCKERD_SH overrides the sandbox's /work/shared/tools/dockerd.sh. */
export const dockerdScript = process.env.DOCKERD_SH ?? join(repoRoot, '..', 'shared/tools/dockerd.sh');

/** Skip reason (or, in CI, an exception) unless docker, dockerd and the engine script exist. */
export function requireDocker(...others: string[]): string | undefined {
  return requireClient('docker', 'dockerd', ...others) ?? (existsSync(dockerdScript) ? undefined : unavailable(`needs ${dockerdScript} (set DOCKERD_SH)`));
}

let engine: Promise<string> | undefined;
let dockerConfig: string | undefined;

/** Starts (or finds) the private engine; resolves to its DOCKER_HOST. */
export function dockerHost(): Promise<string> {
  engine ??= (async () => {
    const { stdout } = await runOk('bash', [dockerdScript, 'up'], { timeoutMs: 180_000 });
    const match = /export DOCKER_HOST=(\S+)/.exec(stdout);
    if (!match?.[1]) throw new Error(`dockerd.sh up printed no DOCKER_HOST:\n${stdout}`);
    return match[1];
  })();
  return engine;
}

/** The socket of the engine's own containerd (dockerd.sh runs it under its exec root), for ctr. */
export async function containerdAddress(): Promise<string> {
  const socket = (await dockerHost()).replace(/^unix:\/\//, '');
  const address = join(dirname(socket), 'exec', 'containerd', 'containerd.sock');
  if (!existsSync(address)) throw new Error(`no containerd socket at ${address}: has dockerd.sh changed its layout?`);
  return address;
}

async function dockerEnv(): Promise<NodeJS.ProcessEnv> {
  dockerConfig ??= processTempDir('wharf-docker-config-');
  return { ...process.env, DOCKER_HOST: await dockerHost(), DOCKER_CONFIG: dockerConfig };
}

/** `docker ...args`; throws with stderr on a non-zero exit. */
export async function docker(...args: string[]): Promise<RunResult> {
  return runOk('docker', args, { env: await dockerEnv(), timeoutMs: 180_000 });
}

/** `docker ...args` that may fail (for asserting failures). */
export async function dockerTry(args: string[], opts: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
  return run('docker', args, { timeoutMs: 180_000, ...opts, env: await dockerEnv() });
}

/** A name no other test run (or concurrent engineer) will pick: prefix-<pid>-<time>-<random>. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Loads an image made of `layers` into the engine as `ref` (via an archive in workDir); returns its image id. */
export async function loadLayers(workDir: string, ref: string, layers: Layer[]): Promise<string> {
  const { archive, imageId } = dockerArchive(ref, layers, ref);
  const file = join(workDir, `${uniqueName('archive')}.tar`);
  await writeFile(file, archive);
  try {
    await docker('load', '-i', file);
  } finally {
    await rm(file, { force: true });
  }
  return imageId;
}

/** Loads a generated image of `layers` layers (content derived from `seed`) as `ref`; returns its image id. */
export function loadImage(workDir: string, ref: string, layers: number, seed = ref): Promise<string> {
  return loadLayers(workDir, ref, makeLayers(layers, seed));
}

/** The id of the local image `ref`. */
export async function imageId(ref: string): Promise<string> {
  return (await docker('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim();
}

// The docker CLI against an engine from test/tools/dockerd.sh `up`: the one the user already runs
// (DOCKER_HOST, or the system socket) or else a private one it starts, which stays running for
// the next test file. Credentials from `docker login` go to a temp DOCKER_CONFIG, never to the
// user's ~/.docker.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { requireClient } from './clients.js';
import { dockerArchive, makeLayers, type Layer } from './images.js';
import { repoRoot } from './launch.js';
import { processTempDir, run, runOk, type RunOptions, type RunResult } from './process.js';

/** The repository's engine script (test/tools/dockerd.sh). */
export const dockerdScript = join(repoRoot, 'test/tools/dockerd.sh');

/**
 * Skip reason (or, in CI, an exception) unless the docker CLI is there and an engine can be had:
 * one the user already runs (DOCKER_HOST set, or the system socket), or dockerd to start one.
 */
export function requireDocker(...others: string[]): string | undefined {
  const userEngine = process.env.DOCKER_HOST !== undefined || existsSync('/var/run/docker.sock');
  return userEngine ? requireClient('docker', ...others) : requireClient('docker', 'dockerd', 'containerd', ...others);
}

let engine: Promise<string> | undefined;
let dockerConfig: string | undefined;

/** Finds (or starts) the engine; resolves to its DOCKER_HOST. */
export function dockerHost(): Promise<string> {
  engine ??= (async () => {
    const { stdout } = await runOk('bash', [dockerdScript, 'up'], { timeoutMs: 180_000 });
    const match = /export DOCKER_HOST=(\S+)/.exec(stdout);
    if (!match?.[1]) throw new Error(`dockerd.sh up printed no DOCKER_HOST:\n${stdout}`);
    return match[1];
  })();
  return engine;
}

/**
 * The socket of the engine's containerd, for ctr: a private engine from dockerd.sh runs its own
 * under its exec root; a system engine uses the system containerd.
 */
export async function containerdAddress(): Promise<string> {
  const socket = (await dockerHost()).replace(/^unix:\/\//, '');
  const candidates = [join(dirname(socket), 'exec', 'containerd', 'containerd.sock'), '/run/containerd/containerd.sock'];
  const address = candidates.find((c) => existsSync(c));
  if (!address) throw new Error(`no containerd socket for the engine at ${socket} (looked at ${candidates.join(', ')})`);
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

// Legacy (v1) images as Docker 1.5 pushes them: a parent chain of image JSONs, each with one
// layer, uploaded gzip-compressed. Built from test/helpers/images.ts layers, so every run's
// bytes are new. Also a small tar reader, for looking into `docker save` archives.
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { hostArchitecture, makeLayers, sha256, type Layer } from './images.js';

export interface V1Image {
  /** 64 lowercase hex characters. */
  id: string;
  parent: string | undefined;
  /** The image JSON exactly as uploaded. */
  json: Buffer;
  /** The layer exactly as uploaded (gzip, as Docker 1.5 sends it, unless built with plain tar). */
  layer: Buffer;
  /** The uncompressed layer tar (sha256 of it is the v2 diff id). */
  tar: Buffer;
  diffId: string;
  /** sha256:hex(json + "\n" + layer): the payload checksum clients send and registries verify. */
  checksum: string;
}

export const randomImageId = (): string => randomBytes(32).toString('hex');

/** The payload checksum: sha256 over the JSON, a newline and the layer bytes as uploaded. */
export function payloadChecksum(json: Buffer, layer: Buffer): string {
  return `sha256:${createHash('sha256').update(json).update('\n').update(layer).digest('hex')}`;
}

export interface V1ImageOptions {
  /** Upload plain tar instead of gzip (the bridge must take both). */
  plainTar?: boolean;
  /** The config of the top image (Cmd, Env, Labels...); defaults to a /bin/true command. */
  config?: Record<string, unknown>;
  /** Start the chain on top of this (already pushed) image. */
  parent?: V1Image;
}

/**
 * A chain of `count` images (base first), each adding one generated layer: the JSONs carry id,
 * parent, created, container, container_config, config, docker_version, architecture, os, Size,
 * as Docker 1.5 wrote them.
 */
export function buildV1Chain(count: number, label: string, opts: V1ImageOptions = {}): V1Image[] {
  return chainOf(makeLayers(count, label, 24), label, opts);
}

/** The same, over given layers (to share a layer between repositories, say). */
export function chainOf(layers: Layer[], label: string, opts: V1ImageOptions = {}): V1Image[] {
  const images: V1Image[] = [];
  let parent = opts.parent;
  layers.forEach((layer, i) => {
    const id = randomImageId();
    const top = i === layers.length - 1;
    const config = {
      Hostname: '',
      Domainname: '',
      User: '',
      Memory: 0,
      MemorySwap: 0,
      CpuShares: 0,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/bin/true'],
      Image: parent?.id ?? '',
      Volumes: null,
      WorkingDir: '',
      Entrypoint: null,
      NetworkDisabled: false,
      OnBuild: null,
      ...(top ? opts.config : {}),
    };
    const doc: Record<string, unknown> = {
      id,
      ...(parent ? { parent: parent.id } : {}),
      created: new Date(Date.UTC(2015, 1, 10, 12, 0, i)).toISOString(),
      container: randomImageId(),
      container_config: { ...config, Cmd: ['/bin/sh', '-c', `#(nop) ADD file:${label} layer ${i} in /`] },
      docker_version: '1.5.0',
      author: 'wharf e2e <e2e@example.test>',
      config,
      architecture: hostArchitecture(),
      os: 'linux',
      Size: layer.tar.length,
    };
    const json = Buffer.from(JSON.stringify(doc));
    const upload = opts.plainTar ? layer.tar : layer.gzip;
    const image: V1Image = { id, parent: parent?.id, json, layer: upload, tar: layer.tar, diffId: layer.diffId, checksum: payloadChecksum(json, upload) };
    images.push(image);
    parent = image;
  });
  return images;
}

/** The uncompressed bytes of a layer as served (gzip or plain tar). */
export function uncompressed(layer: Buffer): Buffer {
  return layer[0] === 0x1f && layer[1] === 0x8b ? gunzipSync(layer) : layer;
}

export const sha256Of = sha256;

/** The regular files of a tar archive (ustar, with PAX and GNU long-name records), by name. */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  const field = (header: Buffer, start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = field(header, 345, 155);
    let name = field(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const body = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      paxPath = match?.[1];
      continue;
    }
    if (type === 'g') continue;
    name = paxPath ?? longName ?? name;
    longName = paxPath = undefined;
    if (type === '0' || type === '\0') files.set(name.replace(/^\.\//, ''), Buffer.from(body));
  }
  return files;
}

// v1 test images: real tar layers (a tiny ustar writer), gzip-compressed as Docker 1.x uploads
// them or left plain, with v1 image JSON chained by parent, and the payload checksum a client
// would send for them.
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(1_420_070_400, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write('0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** A ustar archive of regular files, with the two zero blocks that end it. */
export function tarOf(files: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    parts.push(header(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface V1TestImage {
  id: string;
  parent?: string;
  json: Buffer;
  /** The bytes as uploaded (gzip unless made plain). */
  layer: Buffer;
  /** The uncompressed tar. */
  tar: Buffer;
  /** sha256(json + "\n" + layer): what X-Docker-Checksum-Payload carries. */
  checksum: string;
}

export function newImageId(): string {
  return randomBytes(32).toString('hex');
}

export interface ImageOptions {
  parent?: V1TestImage;
  files?: Record<string, string | Buffer>;
  /** Upload the tar uncompressed. */
  plain?: boolean;
  cmd?: string[];
  extra?: Record<string, unknown>;
}

export function makeImage(options: ImageOptions = {}): V1TestImage {
  const id = newImageId();
  const tar = tarOf(options.files ?? { [`file-${id.slice(0, 8)}`]: `content of ${id}\n` });
  const layer = options.plain ? tar : gzipSync(tar);
  const object: Record<string, unknown> = {
    id,
    ...(options.parent ? { parent: options.parent.id } : {}),
    created: '2015-02-10T12:00:00.000000000Z',
    container: newImageId(),
    container_config: { Cmd: options.cmd ?? ['/bin/sh', '-c', `echo ${id.slice(0, 8)}`], Env: null },
    docker_version: '1.5.0',
    config: { Cmd: ['/bin/sh'], Env: ['PATH=/usr/bin:/bin'] },
    architecture: 'amd64',
    os: 'linux',
    Size: tar.length,
    ...options.extra,
  };
  const json = Buffer.from(JSON.stringify(object));
  const checksum = sha256(Buffer.concat([json, Buffer.from('\n'), layer]));
  return { id, ...(options.parent ? { parent: options.parent.id } : {}), json, layer, tar, checksum };
}

/** A chain of `count` images, base first, each with its own gzip layer. */
export function makeChain(count: number, options: Omit<ImageOptions, 'parent'> = {}): V1TestImage[] {
  const chain: V1TestImage[] = [];
  for (let i = 0; i < count; i++) {
    const parent = chain[chain.length - 1];
    chain.push(makeImage({ ...options, ...(parent ? { parent } : {}), files: { [`layer-${i}/file.txt`]: `layer ${i} ${randomBytes(8).toString('hex')}\n` } }));
  }
  return chain;
}

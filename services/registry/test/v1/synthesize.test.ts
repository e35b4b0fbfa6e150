// The bridge's pure half: image config and schema 2 manifest from a v1 chain.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mediaTypes, parseManifest } from '@wharf/shared';
import { layerMediaType, synthesizeConfig, synthesizeManifest, type ChainImage } from '../../src/v1/bridge/synthesize.js';

function image(json: Record<string, unknown>, n: number, gzip = true): ChainImage {
  const hex = String(n).repeat(64).slice(0, 64);
  return { json, layer: { digest: `sha256:${hex}`, size: 100 + n, diffId: `sha256:${'d'.repeat(63)}${n}`, gzip } };
}

describe('synthesizeConfig', () => {
  const base = image({ id: 'b', created: '2014-01-01T00:00:00Z', container_config: { Cmd: ['/bin/sh', '-c', '#(nop) ADD file in /'] }, author: 'ann' }, 1);
  const top = image(
    {
      id: 't',
      parent: 'b',
      Size: 5,
      parent_id: 'x',
      layer_id: 'y',
      throwaway: true,
      created: '2014-02-02T00:00:00Z',
      container_config: { Cmd: null },
      config: { Cmd: ['sh'] },
      docker_version: '1.5.0',
      comment: 'made by hand',
      zeta: 1,
    },
    2,
  );
  const config = JSON.parse(synthesizeConfig([base, top]).toString()) as Record<string, unknown>;

  it('keeps the top image JSON without its v1 graph keys (as moby does)', () => {
    for (const key of ['id', 'parent', 'Size', 'parent_id', 'layer_id', 'throwaway']) assert.equal(config[key], undefined, key);
    assert.deepEqual(config.config, { Cmd: ['sh'] });
    assert.equal(config.docker_version, '1.5.0');
    assert.equal(config.created, '2014-02-02T00:00:00Z');
  });

  it('has rootfs diff_ids and history base first, one each per image', () => {
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [base.layer.diffId, top.layer.diffId] });
    assert.deepEqual(config.history, [
      { created: '2014-01-01T00:00:00Z', author: 'ann', created_by: '/bin/sh -c #(nop) ADD file in /' },
      { created: '2014-02-02T00:00:00Z', comment: 'made by hand' },
    ]);
  });

  it('defaults architecture and os, and gives a history entry without created Go zero time', () => {
    const bare = JSON.parse(synthesizeConfig([image({ id: 'z' }, 3)]).toString()) as Record<string, unknown>;
    assert.equal(bare.architecture, 'amd64');
    assert.equal(bare.os, 'linux');
    assert.deepEqual(bare.history, [{ created: '0001-01-01T00:00:00Z' }]);
  });

  it('writes top-level keys sorted, so equal input gives equal bytes', () => {
    const keys = Object.keys(config);
    assert.deepEqual(keys, [...keys].sort());
    assert.deepEqual(synthesizeConfig([base, top]), synthesizeConfig([base, top]));
  });
});

describe('synthesizeManifest', () => {
  it('is a schema 2 manifest the registry accepts, layers base first with their media types', () => {
    const chain = [image({}, 1, false), image({}, 2)];
    const bytes = synthesizeManifest({ digest: `sha256:${'c'.repeat(64)}`, size: 42 }, chain);
    const parsed = parseManifest(bytes, mediaTypes.dockerManifest);
    assert.equal(parsed.mediaType, mediaTypes.dockerManifest);
    const manifest = JSON.parse(bytes.toString()) as { config: unknown; layers: { mediaType: string; digest: string; size: number }[] };
    assert.deepEqual(manifest.config, { mediaType: mediaTypes.dockerConfig, size: 42, digest: `sha256:${'c'.repeat(64)}` });
    assert.deepEqual(
      manifest.layers.map((l) => [l.mediaType, l.digest, l.size]),
      chain.map((c) => [layerMediaType(c.layer.gzip), c.layer.digest, c.layer.size]),
    );
    assert.equal(layerMediaType(true), mediaTypes.dockerLayer);
    assert.equal(layerMediaType(false), 'application/vnd.docker.image.rootfs.diff.tar');
  });
});

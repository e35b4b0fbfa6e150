import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf } from './digest.js';
import { checkDescriptor, ManifestValidationError, parseManifest, type Descriptor } from './manifest.js';
import { isMediaType, mediaTypes } from './media-types.js';

const config: Descriptor = { mediaType: mediaTypes.dockerConfig, digest: digestOf('config'), size: 6 };
const layer: Descriptor = { mediaType: mediaTypes.dockerLayer, digest: digestOf('layer'), size: 5 };
const ociConfig: Descriptor = { mediaType: mediaTypes.ociConfig, digest: digestOf('oci-config'), size: 10 };
const ociLayer: Descriptor = { mediaType: mediaTypes.ociLayerGzip, digest: digestOf('oci-layer'), size: 9 };
const child: Descriptor = {
  mediaType: mediaTypes.ociManifest,
  digest: digestOf('child'),
  size: 500,
  platform: { architecture: 'amd64', os: 'linux' },
};

function body(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function dockerManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: mediaTypes.dockerManifest, config, layers: [layer], ...extra };
}

function ociManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: ociConfig, layers: [ociLayer], ...extra };
}

function ociIndex(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [child], ...extra };
}

/** Asserts that parsing fails with a ManifestValidationError whose message matches. */
function assertInvalid(value: unknown, contentType: string | undefined, message: RegExp): void {
  const buffer = Buffer.isBuffer(value) ? value : body(value);
  assert.throws(
    () => parseManifest(buffer, contentType),
    (err: unknown) => {
      assert.ok(err instanceof ManifestValidationError, `expected ManifestValidationError, got ${String(err)}`);
      assert.match(err.message, message);
      return true;
    },
  );
}

describe('parseManifest: the supported kinds', () => {
  it('parses a Docker schema 2 manifest: config and layers are the required blobs', () => {
    const parsed = parseManifest(body(dockerManifest()), mediaTypes.dockerManifest);
    assert.equal(parsed.mediaType, mediaTypes.dockerManifest);
    assert.deepEqual(parsed.blobs, [config, layer]);
    assert.deepEqual(parsed.manifests, []);
    assert.equal(parsed.subject, undefined);
  });

  it('parses a Docker manifest list: children are manifests, no blobs', () => {
    const list = {
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifestList,
      manifests: [{ ...child, mediaType: mediaTypes.dockerManifest }],
    };
    const parsed = parseManifest(body(list), mediaTypes.dockerManifestList);
    assert.equal(parsed.mediaType, mediaTypes.dockerManifestList);
    assert.deepEqual(parsed.blobs, []);
    assert.deepEqual(parsed.manifests, [{ ...child, mediaType: mediaTypes.dockerManifest }]);
    assert.equal(parsed.artifactType, undefined);
  });

  it('parses an OCI image manifest', () => {
    const parsed = parseManifest(body(ociManifest({ annotations: { 'org.example': 'x' } })), mediaTypes.ociManifest);
    assert.equal(parsed.mediaType, mediaTypes.ociManifest);
    assert.deepEqual(parsed.blobs, [ociConfig, ociLayer]);
    assert.deepEqual(parsed.manifests, []);
    assert.deepEqual(parsed.annotations, { 'org.example': 'x' });
  });

  it('parses an OCI image manifest with no layers (OCI allows it, unlike Docker schema 2)', () => {
    const parsed = parseManifest(body(ociManifest({ layers: [] })), mediaTypes.ociManifest);
    assert.deepEqual(parsed.blobs, [ociConfig]);
  });

  it('parses an OCI index, with its own artifactType when it has one', () => {
    const parsed = parseManifest(body(ociIndex()), mediaTypes.ociIndex);
    assert.equal(parsed.mediaType, mediaTypes.ociIndex);
    assert.deepEqual(parsed.blobs, []);
    assert.deepEqual(parsed.manifests, [child]);
    assert.equal(parsed.artifactType, undefined);

    const typed = parseManifest(body(ociIndex({ artifactType: 'application/vnd.example.bundle' })), mediaTypes.ociIndex);
    assert.equal(typed.artifactType, 'application/vnd.example.bundle');
  });

  it('parses an artifact manifest: artifactType set, empty config', () => {
    const empty: Descriptor = { mediaType: mediaTypes.ociEmpty, digest: digestOf('{}'), size: 2, data: 'e30=' };
    const blob: Descriptor = { mediaType: 'application/vnd.example.sbom+json', digest: digestOf('sbom'), size: 4 };
    const artifact = ociManifest({ artifactType: 'application/vnd.example.sbom', config: empty, layers: [blob] });
    const parsed = parseManifest(body(artifact), mediaTypes.ociManifest);
    assert.equal(parsed.artifactType, 'application/vnd.example.sbom');
    assert.deepEqual(parsed.blobs, [empty, blob]);
  });

  it('returns the subject of a manifest that refers to another', () => {
    const subject: Descriptor = { mediaType: mediaTypes.ociManifest, digest: digestOf('subject'), size: 123 };
    const parsed = parseManifest(
      body(ociManifest({ artifactType: 'application/vnd.example.signature', subject })),
      mediaTypes.ociManifest,
    );
    assert.deepEqual(parsed.subject, subject);
    const index = parseManifest(body(ociIndex({ subject })), mediaTypes.ociIndex);
    assert.deepEqual(index.subject, subject);
  });

  it('defaults artifactType to the config media type for an image manifest (referrers rule)', () => {
    assert.equal(parseManifest(body(ociManifest()), mediaTypes.ociManifest).artifactType, mediaTypes.ociConfig);
    assert.equal(parseManifest(body(dockerManifest()), mediaTypes.dockerManifest).artifactType, mediaTypes.dockerConfig);
    const custom = ociManifest({ config: { ...ociConfig, mediaType: 'application/vnd.example.config+json' } });
    assert.equal(parseManifest(body(custom), undefined).artifactType, 'application/vnd.example.config+json');
  });
});

describe('parseManifest: media type from Content-Type and body', () => {
  it('ignores Content-Type parameters, case and whitespace', () => {
    const parsed = parseManifest(body(ociManifest()), ` ${mediaTypes.ociManifest.toUpperCase()} ; charset=utf-8`);
    assert.equal(parsed.mediaType, mediaTypes.ociManifest);
  });

  it('uses the body mediaType when no Content-Type was sent', () => {
    assert.equal(parseManifest(body(ociIndex()), undefined).mediaType, mediaTypes.ociIndex);
    assert.equal(parseManifest(body(dockerManifest()), '').mediaType, mediaTypes.dockerManifest);
  });

  it('uses the Content-Type when the body has no mediaType (OCI makes it optional)', () => {
    const { mediaType: _, ...bare } = ociManifest();
    const parsed = parseManifest(body(bare), mediaTypes.ociManifest);
    assert.equal(parsed.mediaType, mediaTypes.ociManifest);
    assert.deepEqual(parsed.blobs, [ociConfig, ociLayer]);
  });

  it('rejects a Content-Type that disagrees with the body mediaType', () => {
    assertInvalid(ociManifest(), mediaTypes.dockerManifest, /does not match Content-Type/);
    assertInvalid(dockerManifest(), mediaTypes.ociManifest, /does not match Content-Type/);
    // An index body sent as an image manifest must not be taken for one.
    assertInvalid(ociIndex(), mediaTypes.ociManifest, /does not match Content-Type/);
  });

  it('rejects a manifest whose media type cannot be determined', () => {
    const { mediaType: _, ...bare } = ociManifest();
    assertInvalid(bare, undefined, /unsupported manifest media type "\(none\)"/);
  });

  it('rejects media types it does not store', () => {
    assertInvalid(ociManifest(), 'application/json', /unsupported manifest media type "application\/json"/);
    assertInvalid(
      { ...dockerManifest(), mediaType: mediaTypes.dockerSchema1Signed },
      undefined,
      /unsupported manifest media type/,
    );
    assertInvalid({ ...ociManifest(), mediaType: 'text/plain' }, undefined, /unsupported manifest media type/);
  });

  it('rejects a non-string mediaType', () => {
    assertInvalid({ ...ociManifest(), mediaType: 42 }, mediaTypes.ociManifest, /mediaType must be a string/);
  });
});

describe('parseManifest: structure', () => {
  it('rejects a body that is not JSON, or not an object', () => {
    assertInvalid(Buffer.from('{"schemaVersion": 2'), mediaTypes.ociManifest, /not valid JSON/);
    assertInvalid(Buffer.from(''), mediaTypes.ociManifest, /not valid JSON/);
    assertInvalid([], mediaTypes.ociManifest, /must be a JSON object/);
    assertInvalid(null, mediaTypes.ociManifest, /must be a JSON object/);
    assertInvalid('manifest', mediaTypes.ociManifest, /must be a JSON object/);
  });

  it('rejects schemaVersion other than 2', () => {
    for (const schemaVersion of [1, 3, '2', 0, null, undefined]) {
      assertInvalid(ociManifest({ schemaVersion }), mediaTypes.ociManifest, /schemaVersion must be 2/);
    }
  });

  it('rejects a Docker schema 2 manifest with no layers', () => {
    assertInvalid(dockerManifest({ layers: [] }), mediaTypes.dockerManifest, /layers must not be empty/);
  });

  it('rejects a missing config or layers list', () => {
    assertInvalid(ociManifest({ config: undefined }), mediaTypes.ociManifest, /config must be a descriptor object/);
    assertInvalid(ociManifest({ layers: undefined }), mediaTypes.ociManifest, /layers must be an array/);
    assertInvalid(ociManifest({ layers: {} }), mediaTypes.ociManifest, /layers must be an array/);
  });

  it('rejects an index without manifests, or with config/layers', () => {
    assertInvalid(ociIndex({ manifests: undefined }), mediaTypes.ociIndex, /manifests must be an array/);
    assertInvalid(ociIndex({ config: ociConfig }), mediaTypes.ociIndex, /an index has no config or layers/);
    assertInvalid(ociIndex({ layers: [] }), mediaTypes.ociIndex, /an index has no config or layers/);
  });

  it('rejects an image manifest with a manifests list', () => {
    assertInvalid(ociManifest({ manifests: [child] }), mediaTypes.ociManifest, /an image manifest has no manifests list/);
  });

  it('rejects a non-string artifactType', () => {
    assertInvalid(ociManifest({ artifactType: 7 }), mediaTypes.ociManifest, /artifactType must be a media type/);
  });

  it('rejects annotations that are not a map of strings', () => {
    assertInvalid(ociManifest({ annotations: { a: 1 } }), mediaTypes.ociManifest, /manifest\.annotations must be a map of strings/);
    assertInvalid(ociManifest({ annotations: ['a'] }), mediaTypes.ociManifest, /annotations must be a map of strings/);
  });

  it('rejects a bad subject descriptor', () => {
    assertInvalid(ociManifest({ subject: 'sha256:abc' }), mediaTypes.ociManifest, /subject must be a descriptor object/);
    assertInvalid(
      ociManifest({ subject: { mediaType: mediaTypes.ociManifest, digest: 'nope', size: 1 } }),
      mediaTypes.ociManifest,
      /subject\.digest is not a valid digest/,
    );
  });
});

describe('parseManifest: descriptors', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a negative size', { ...ociLayer, size: -1 }, /layers\[0\]\.size must be a non-negative integer/],
    ['a fractional size', { ...ociLayer, size: 1.5 }, /layers\[0\]\.size must be a non-negative integer/],
    ['a string size', { ...ociLayer, size: '5' }, /layers\[0\]\.size must be a non-negative integer/],
    ['an unsafe integer size', { ...ociLayer, size: 2 ** 53 }, /layers\[0\]\.size must be a non-negative integer/],
    ['a missing size', { mediaType: ociLayer.mediaType, digest: ociLayer.digest }, /layers\[0\]\.size/],
    ['a malformed digest', { ...ociLayer, digest: 'sha256:1234' }, /layers\[0\]\.digest is not a valid digest/],
    ['an uppercase digest', { ...ociLayer, digest: ociLayer.digest.toUpperCase() }, /layers\[0\]\.digest/],
    ['an unsupported digest algorithm', { ...ociLayer, digest: `md5:${'a'.repeat(32)}` }, /layers\[0\]\.digest/],
    ['a missing digest', { mediaType: ociLayer.mediaType, size: 1 }, /layers\[0\]\.digest/],
    ['a missing mediaType', { digest: ociLayer.digest, size: 9 }, /layers\[0\]\.mediaType must be a media type/],
    ['an empty mediaType', { ...ociLayer, mediaType: '' }, /layers\[0\]\.mediaType must be a media type/],
    ['urls that are not strings', { ...ociLayer, urls: [1] }, /layers\[0\]\.urls must be an array of strings/],
    ['a non-string artifactType', { ...ociLayer, artifactType: {} }, /layers\[0\]\.artifactType must be a media type/],
    ['non-string annotations', { ...ociLayer, annotations: { k: true } }, /layers\[0\]\.annotations must be a map/],
    ['a 128-character media type subtype', { ...ociLayer, mediaType: `application/${'x'.repeat(128)}` }, /layers\[0\]\.mediaType must be a media type/],
    ['a media type with parameters', { ...ociLayer, mediaType: `${ociLayer.mediaType}; x=y` }, /layers\[0\]\.mediaType must be a media type/],
    ['a media type without a subtype', { ...ociLayer, mediaType: 'application' }, /layers\[0\]\.mediaType must be a media type/],
    ['a platform without os', { ...ociLayer, platform: { architecture: 'amd64' } }, /layers\[0\]\.platform\.os must be a string/],
    ['a 129-character variant', { ...ociLayer, platform: { architecture: 'arm', os: 'linux', variant: 'v'.repeat(129) } }, /platform\.variant must be a string of at most 128/],
  ];
  for (const [what, descriptor, message] of cases) {
    it(`rejects a layer with ${what}`, () => {
      assertInvalid(ociManifest({ layers: [descriptor] }), mediaTypes.ociManifest, message);
    });
  }

  it('names the position of the bad descriptor', () => {
    assertInvalid(ociManifest({ layers: [ociLayer, ociLayer, { ...ociLayer, size: -5 }] }), undefined, /layers\[2\]\.size/);
    assertInvalid(ociIndex({ manifests: [child, { ...child, digest: 'x' }] }), undefined, /manifests\[1\]\.digest/);
    assertInvalid(ociManifest({ config: { ...ociConfig, mediaType: undefined } }), undefined, /config\.mediaType/);
  });

  it('accepts a zero size', () => {
    const empty = { ...ociLayer, size: 0, digest: digestOf('') };
    assert.deepEqual(parseManifest(body(ociManifest({ layers: [empty] })), undefined).blobs, [ociConfig, empty]);
  });

  it('checkDescriptor returns the descriptor unchanged, optional fields included', () => {
    const full = { ...child, urls: ['https://example.com/x'], annotations: { a: 'b' }, artifactType: 'x/y' };
    assert.deepEqual(checkDescriptor(full, 'd'), full);
    assert.throws(() => checkDescriptor(null, 'd'), { message: 'd must be a descriptor object' });
    assert.throws(() => checkDescriptor([], 'd'), { message: 'd must be a descriptor object' });
  });
});

describe('parseManifest: foreign layers', () => {
  it('excludes foreign layers with urls from the required blobs', () => {
    const foreign = {
      mediaType: mediaTypes.dockerForeignLayer,
      digest: digestOf('windows base'),
      size: 1000,
      urls: ['https://mcr.microsoft.com/v2/windows/blobs/x'],
    };
    const parsed = parseManifest(body(dockerManifest({ layers: [foreign, layer] })), mediaTypes.dockerManifest);
    assert.deepEqual(parsed.blobs, [config, layer]);
  });

  it('excludes OCI non-distributable layers with urls too', () => {
    const kinds = [
      mediaTypes.ociLayerNondistributable,
      mediaTypes.ociLayerNondistributableGzip,
      mediaTypes.ociLayerNondistributableZstd,
    ];
    const layers = kinds.map((mediaType, i) => ({
      mediaType,
      digest: digestOf(`nd${i}`),
      size: 10,
      urls: ['https://example.com/base'],
    }));
    const parsed = parseManifest(body(ociManifest({ layers: [...layers, ociLayer] })), mediaTypes.ociManifest);
    assert.deepEqual(parsed.blobs, [ociConfig, ociLayer]);
  });

  it('still requires a foreign-type layer that has no urls (nowhere else to fetch it)', () => {
    const foreign = { mediaType: mediaTypes.dockerForeignLayer, digest: digestOf('w'), size: 1 };
    const parsed = parseManifest(body(dockerManifest({ layers: [foreign] })), mediaTypes.dockerManifest);
    assert.deepEqual(parsed.blobs, [config, foreign]);
    const emptyUrls = { ...foreign, urls: [] };
    assert.deepEqual(parseManifest(body(dockerManifest({ layers: [emptyUrls] })), undefined).blobs, [config, emptyUrls]);
  });

  it('still requires an ordinary layer that happens to list urls', () => {
    const withUrls = { ...ociLayer, urls: ['https://example.com/blob'] };
    const parsed = parseManifest(body(ociManifest({ layers: [withUrls] })), mediaTypes.ociManifest);
    assert.deepEqual(parsed.blobs, [ociConfig, withUrls]);
  });
});

describe('isMediaType (RFC 6838 restricted-name, 127 characters each side)', () => {
  it('accepts the media types registries see and the longest legal one', () => {
    for (const t of [...Object.values(mediaTypes), 'application/vnd.cncf.helm.config.v1+json', `${'a'.repeat(127)}/${'b'.repeat(127)}`]) assert.ok(isMediaType(t), t);
  });
  it('refuses longer names, other characters, parameters and a missing part', () => {
    for (const t of [`${'a'.repeat(128)}/b`, `a/${'b'.repeat(128)}`, 'a/b c', 'a/b;c=d', '/b', 'a/', 'a', '-a/b', 'a/b/c', '']) assert.ok(!isMediaType(t), t);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copySource, keyPrefix, writeOptions } from './s3-client.js';

describe('S3 client options', () => {
  it('send storage class and server-side encryption as configured', () => {
    assert.deepEqual(writeOptions({ storageClass: 'STANDARD', encrypt: false }), { StorageClass: 'STANDARD' });
    assert.deepEqual(writeOptions({ storageClass: 'NONE', encrypt: true }), { ServerSideEncryption: 'AES256' });
    assert.deepEqual(writeOptions({ storageClass: 'STANDARD_IA', encrypt: true, keyId: 'arn:aws:kms:k' }), {
      StorageClass: 'STANDARD_IA',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:k',
    });
  });

  it('map the root directory onto a key prefix as Distribution does', () => {
    assert.equal(keyPrefix(''), '');
    assert.equal(keyPrefix('/'), '');
    assert.equal(keyPrefix('/registry'), 'registry/');
    assert.equal(keyPrefix('registry/a/'), 'registry/a/');
  });

  it('URL-encode copy sources per segment', () => {
    assert.equal(copySource('b', 'r/blobs/sha256:ab/data'), 'b/r/blobs/sha256%3Aab/data');
  });
});

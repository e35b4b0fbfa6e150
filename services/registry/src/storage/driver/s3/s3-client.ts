// The S3 client and the object options every write carries, from the driver's parameters.
import { S3Client, type ServerSideEncryption, type StorageClass } from '@aws-sdk/client-s3';

export interface S3Params {
  bucket: string;
  region: string;
  /** Any S3-compatible endpoint (Ceph RGW, MinIO); unset means AWS itself. */
  endpoint?: string;
  /** Static credentials; without them the SDK's default chain (env, profile, instance role). */
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  forcePathStyle: boolean;
  /** Key prefix of everything stored, as Distribution's rootdirectory. */
  rootDirectory: string;
  /** 'NONE' sends no storage class (for stores that reject the header). */
  storageClass: string;
  encrypt: boolean;
  /** KMS key for SSE-KMS; with encrypt and no keyId, SSE-S3 (AES256). */
  keyId?: string;
  /** The first multipart part size; later parts grow (part-size.ts). */
  chunkSize: number;
  /** Lifetime of presigned redirect URLs. */
  redirectExpiryMs: number;
}

export function createS3Client(params: Pick<S3Params, 'region' | 'endpoint' | 'accessKey' | 'secretKey' | 'sessionToken' | 'forcePathStyle'>): S3Client {
  const credentials =
    params.accessKey && params.secretKey
      ? { accessKeyId: params.accessKey, secretAccessKey: params.secretKey, ...(params.sessionToken ? { sessionToken: params.sessionToken } : {}) }
      : undefined;
  return new S3Client({
    region: params.region,
    ...(params.endpoint ? { endpoint: params.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    forcePathStyle: params.forcePathStyle,
    // The SDK's default flexible checksums need aws-chunked streaming bodies that S3-compatible
    // stores (Ceph RGW among them) reject with 411 MissingContentLength; checksum only where the
    // API demands one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export interface WriteOptions {
  StorageClass?: StorageClass;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
}

/** Storage class and server-side encryption for PutObject, CreateMultipartUpload and CopyObject. */
export function writeOptions(params: Pick<S3Params, 'storageClass' | 'encrypt' | 'keyId'>): WriteOptions {
  const options: WriteOptions = {};
  if (params.storageClass !== 'NONE') options.StorageClass = params.storageClass as StorageClass;
  if (params.encrypt) {
    options.ServerSideEncryption = params.keyId ? 'aws:kms' : 'AES256';
    if (params.keyId) options.SSEKMSKeyId = params.keyId;
  }
  return options;
}

/** Distribution's s3Path: rootdirectory without its slashes, then the storage path. */
export function keyPrefix(rootDirectory: string): string {
  const trimmed = rootDirectory.replace(/^\/+|\/+$/g, '');
  return trimmed ? `${trimmed}/` : '';
}

/** A CopySource header value: bucket/key, each key segment URL-encoded. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** True for "no such key" answers (HeadObject's bare 404 included), not for a missing bucket. */
export function isMissingKey(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'NoSuchBucket') return false;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** The multipart upload is no longer there (completed or aborted); Ceph says 404 NoSuchKey. */
export function isUploadGone(err: unknown): boolean {
  return (err as { name?: string })?.name === 'NoSuchUpload' || isMissingKey(err);
}

export function isInvalidRange(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}

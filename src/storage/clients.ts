import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

export interface SideClientOptions {
  region: string;
  endpoint?: string;
  /** Path-style addressing; needed by most non-AWS servers (on by default when an endpoint is given). */
  forcePathStyle?: boolean;
  accelerate?: boolean;
  /** Unsigned requests (public buckets). */
  anonymous?: boolean;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Sockets per client: the SDK's default of 50 queues requests above that concurrency. */
  maxSockets: number;
  /** Attempts per request, including the first. */
  maxAttempts: number;
}

export function makeS3Client(o: SideClientOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: o.maxSockets, keepAliveMsecs: 1000 };
  const config: S3ClientConfig = {
    region: o.region,
    endpoint: o.endpoint,
    forcePathStyle: o.forcePathStyle ?? Boolean(o.endpoint),
    useAccelerateEndpoint: o.accelerate && !o.endpoint ? true : undefined,
    maxAttempts: o.maxAttempts,
    // Checksums only where an operation requires them; the job asks for SHA-256 itself where it wants one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: 10_000,
      requestTimeout: 300_000,
    }),
  };
  if (o.anonymous) {
    config.credentials = { accessKeyId: '', secretAccessKey: '' };
    config.signer = { sign: async (request) => request };
  } else if (o.credentials) {
    config.credentials = o.credentials;
  }
  return new S3Client(config);
}

import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { RetryInfo, RetryPolicy } from '../resilience/retry.js';
import { sdkRetryConfig } from '../resilience/sdk-retry-strategy.js';

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
  /**
   * Every request retried by the run's error-class policy; 'none' (one attempt) for the engines'
   * clients, whose requests the engines retry themselves (retrying in both would multiply attempts).
   */
  retries: { policy: RetryPolicy; onRetry?: (info: RetryInfo) => void } | 'none';
}

export function makeS3Client(o: SideClientOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: o.maxSockets, keepAliveMsecs: 1000 };
  const config: S3ClientConfig = {
    region: o.region,
    endpoint: o.endpoint,
    forcePathStyle: o.forcePathStyle ?? Boolean(o.endpoint),
    useAccelerateEndpoint: o.accelerate && !o.endpoint ? true : undefined,
    ...(o.retries === 'none' ? { maxAttempts: 1 } : sdkRetryConfig(o.retries.policy, { onRetry: o.retries.onRetry })),
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
  const client = new S3Client(config);
  if (!o.anonymous) reuseSigners(client);
  return client;
}

type SignerFor = (authScheme?: { name?: string; signingName?: string; signingRegion?: string }) => Promise<unknown>;

/**
 * The SDK builds a new signer for every request (a copy of the whole client config, then a
 * SignatureV4): about 2% of a copy-heavy run's CPU. One signer per auth scheme does the same
 * signing; it still reads the credentials from their provider on every request.
 */
function reuseSigners(client: S3Client): void {
  const config = client.config as unknown as { signer: SignerFor };
  const build = config.signer;
  const signers = new Map<string, Promise<unknown>>();
  config.signer = (scheme) => {
    const key = `${scheme?.name}|${scheme?.signingName}|${scheme?.signingRegion}`;
    let signer = signers.get(key);
    if (!signer) {
      signers.set(key, (signer = build(scheme)));
      signer.catch(() => signers.delete(key));
    }
    return signer;
  };
}

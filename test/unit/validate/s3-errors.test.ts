import { describe, expect, it } from 'vitest';
import { explainCredentialCode, explainS3Error, type S3Attempt } from '../../../src/validate/s3-errors.js';

function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

const list: S3Attempt = { side: 'destination', action: 's3:ListBucket', bucket: 'lake', key: 'bronze/', endpoint: undefined, region: 'eu-west-1' };
const put: S3Attempt = { ...list, action: 's3:PutObject', key: 'bronze/_s3ds-validate/u' };
const source: S3Attempt = { side: 'source', action: 's3:ListBucket', bucket: 'data.binance.vision', key: 'data/spot/', region: 'ap-northeast-1' };

describe('explainS3Error', () => {
  it('a missing bucket names the bucket, side and endpoint', () => {
    const e = explainS3Error(awsError('NoSuchBucket', 404), list);
    expect(e.detail).toBe("destination bucket 'lake' does not exist at AWS S3 (eu-west-1)");
    expect(e.hint).toMatch(/create the bucket/);
    expect(explainS3Error(awsError('NoSuchBucket', 404), { ...source, endpoint: 'http://127.0.0.1:9000' }).detail).toBe(
      "source bucket 'data.binance.vision' does not exist at http://127.0.0.1:9000 (ap-northeast-1)",
    );
  });

  it('a bare 404 on a listing is a missing bucket; on a write it is not', () => {
    const bare = Object.assign(new Error('UnknownError'), { $metadata: { httpStatusCode: 404 } });
    expect(explainS3Error(bare, list).detail).toMatch(/does not exist/);
    expect(explainS3Error(bare, put).detail).not.toMatch(/does not exist/);
  });

  it('AccessDenied names the IAM action and resource the credentials need', () => {
    const e = explainS3Error(awsError('AccessDenied', 403, 'Access Denied.'), put);
    expect(e.detail).toBe('s3:PutObject on s3://lake/bronze/_s3ds-validate/u denied (AccessDenied) at AWS S3 (eu-west-1)');
    expect(e.hint).toBe('the credentials need s3:PutObject on arn:aws:s3:::lake/bronze/_s3ds-validate/u (IAM policy, bucket policy, or a VPC endpoint policy)');
    expect(explainS3Error(awsError('AccessDenied', 403), list).hint).toContain("s3:ListBucket on arn:aws:s3:::lake with s3:prefix 'bronze/'");
  });

  it('a refused listing of the public Binance archive suggests reading it unsigned', () => {
    expect(explainS3Error(awsError('AccessDenied', 403), source).hint).toMatch(/--source-no-sign-request/);
    expect(explainS3Error(awsError('AccessDenied', 403), { ...source, anonymous: true }).hint).toMatch(/read unsigned.*drop the flag/);
  });

  it.each([
    ['InvalidAccessKeyId', /access key id is not known/, /AWS_ACCESS_KEY_ID/],
    ['SignatureDoesNotMatch', /secret access key does not match/, /AWS_SECRET_ACCESS_KEY/],
    ['ExpiredToken', /session token is expired/, /refresh/],
    ['XAdminUserNotFound', /access key id is not known/, /AWS_ACCESS_KEY_ID/],
    ['RequestTimeTooSkewed', /clock differs .* 15 minutes/, /NTP/],
  ])('%s says what is wrong with the credentials', (code, detail, hint) => {
    const e = explainS3Error(awsError(code, 403), list);
    expect(e.detail).toMatch(/^s3:ListBucket on s3:\/\/lake\/bronze\/ refused: /);
    expect(e.detail).toMatch(detail);
    expect(e.hint).toMatch(hint);
  });

  it('a bucket in another region says which flag to set', () => {
    expect(explainS3Error(awsError('PermanentRedirect', 301), list)).toEqual({
      detail: "destination bucket 'lake' is not in eu-west-1 (PermanentRedirect) at AWS S3 (eu-west-1)",
      hint: "set --region to the bucket's region",
    });
    expect(explainS3Error(awsError('AuthorizationHeaderMalformed', 400), source).hint).toMatch(/--source-region/);
  });

  it('an unreachable endpoint names it and the socket error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const e = explainS3Error(refused, { ...list, endpoint: 'http://127.0.0.1:1' });
    expect(e.detail).toBe('cannot reach http://127.0.0.1:1 (eu-west-1) for s3:ListBucket on s3://lake/bronze/: ECONNREFUSED');
    expect(e.hint).toBe('check that a server listens at http://127.0.0.1:1');
  });

  it('a timed-out request says how long it waited', () => {
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(explainS3Error(aborted, { ...list, timeoutMs: 15_000 }).detail).toBe(
      's3:ListBucket on s3://lake/bronze/ got no answer within 15 s at AWS S3 (eu-west-1)',
    );
  });

  it('anything else keeps the code and message', () => {
    expect(explainS3Error(awsError('InternalError', 500, 'We encountered an internal error'), put).detail).toBe(
      's3:PutObject on s3://lake/bronze/_s3ds-validate/u failed at AWS S3 (eu-west-1): InternalError: We encountered an internal error',
    );
  });
});

describe('explainCredentialCode', () => {
  it('knows the STS and S3 credential codes and nothing else', () => {
    for (const code of [
      'InvalidClientTokenId',
      'InvalidAccessKeyId',
      'XAdminUserNotFound',
      'RequestTimeTooSkewed',
      'UnrecognizedClientException',
      'SignatureDoesNotMatch',
      'ExpiredToken',
      'CredentialsProviderError',
    ]) {
      expect(explainCredentialCode(code), code).toBeDefined();
    }
    expect(explainCredentialCode('AccessDenied')).toBeUndefined();
    expect(explainCredentialCode(undefined)).toBeUndefined();
    expect(explainCredentialCode('CredentialsProviderError')!.hint).toMatch(/AWS_PROFILE/);
  });
});

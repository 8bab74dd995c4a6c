/** The CopySource header value: bucket and URL-encoded key, '/' kept as the separator. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

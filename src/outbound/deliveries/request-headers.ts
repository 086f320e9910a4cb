import { USER_AGENT } from '../../shared/http/client';
import { signatureHeaders } from '../../shared/signature';
import type { WebhookRecord } from '../store/records';

/** The headers of one attempt: the webhook's own, its auth, ours, and a fresh Standard Webhooks signature. */
export function requestHeaders(
  webhook: Pick<WebhookRecord, 'headers' | 'auth' | 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  deliveryId: string,
  contentType: string,
  body: string,
  now: Date = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = { ...webhook.headers };
  const { auth } = webhook;
  if (auth?.type === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  } else if (auth?.type === 'bearer') {
    headers.authorization = `Bearer ${auth.token}`;
  }
  const secrets = [webhook.secret];
  if (webhook.previousSecret && webhook.previousSecretExpiresAt && webhook.previousSecretExpiresAt > now) {
    secrets.push(webhook.previousSecret);
  }
  return {
    ...headers,
    'content-type': contentType,
    'user-agent': USER_AGENT,
    ...signatureHeaders(secrets, deliveryId, body, now),
  };
}

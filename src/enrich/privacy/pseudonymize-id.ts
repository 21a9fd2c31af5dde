import { createHmac, createSecretKey } from 'node:crypto';

/**
 * HIP-47 classes user identifiers as "hashed or pseudonymized". A keyed hash (HMAC-SHA256,
 * hex) keeps one user's events together and cannot be reversed or recomputed without the
 * secret, unlike a plain hash of a guessable id.
 */
export function createPseudonymizer(secret: string): (id: string) => string {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (id) => createHmac('sha256', key).update(id, 'utf8').digest('hex');
}

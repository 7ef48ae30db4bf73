import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../../../shared/src/api/users.js';

/** Access tokens live 15 minutes. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

/** The claims of an access token. `sid` is the refresh-token family the token came from. */
export interface AccessClaims {
  sub: string;
  role: Role;
  sid: string;
  iat: number;
  exp: number;
}

/**
 * Wraps the JWT secret in a KeyObject holding its UTF-8 bytes, the same key jsonwebtoken derives
 * from the string. Given a string, jsonwebtoken 9 first tries to parse it as a PEM key on every
 * sign and verify and falls back to an HMAC key only after that throws. That cost about 0.3 ms per
 * verify on Node 20 (2-core AMD EPYC VM), against 5 µs with a KeyObject.
 */
export function createAccessTokenKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/**
 * Signs an HS256 access token. `issuedAt` (seconds) is explicit so that a racing refresh repeat
 * receives byte-for-byte the same token.
 */
export function signAccessToken(
  key: KeyObject,
  claims: { userId: number; role: Role; sessionId: string; issuedAt: number },
): string {
  const payload = {
    sub: String(claims.userId),
    role: claims.role,
    sid: claims.sessionId,
    iat: claims.issuedAt,
    exp: claims.issuedAt + ACCESS_TOKEN_TTL_SECONDS,
  };
  return jwt.sign(payload, key, { algorithm: 'HS256' });
}

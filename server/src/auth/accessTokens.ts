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
 * Signs an HS256 access token. `issuedAt` (seconds) is explicit so that a racing refresh repeat
 * can be answered with byte-for-byte the same token.
 */
export function signAccessToken(
  secret: string,
  claims: { userId: number; role: Role; sessionId: string; issuedAt: number },
): string {
  const payload = {
    sub: String(claims.userId),
    role: claims.role,
    sid: claims.sessionId,
    iat: claims.issuedAt,
    exp: claims.issuedAt + ACCESS_TOKEN_TTL_SECONDS,
  };
  return jwt.sign(payload, secret, { algorithm: 'HS256' });
}

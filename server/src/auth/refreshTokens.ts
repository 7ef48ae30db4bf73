import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { runTransaction } from '../db/transactions.js';
import { unauthorized } from '../errors.js';
import { RefreshToken } from '../models/index.js';

/** Refresh tokens live 7 days from their issue; each rotation starts a new 7 days. */
export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A rotated token presented again within this time is a client racing itself (two requests
 * sent with the same token), not a stolen token, so it gets the same new token back.
 */
export const ROTATION_GRACE_MS = 10_000;

/** A refresh token handed to a client, with the session (family) it belongs to. */
export interface IssuedRefreshToken {
  token: string;
  userId: number;
  familyId: string;
  /** When the token was issued; a racing repeat gets the same time back. */
  issuedAt: Date;
}

/** The reason a refresh token was rejected. The log records it; the client gets only a 401. */
export type RejectionReason = 'unknown' | 'expired' | 'revoked' | 'reused';

type RotationOutcome =
  | { kind: 'issued'; issued: IssuedRefreshToken }
  | { kind: 'reused'; token: RefreshToken }
  | { kind: 'raced'; token: RefreshToken }
  | { kind: 'rejected'; reason: RejectionReason; token?: RefreshToken };

/** Thrown when a refresh token cannot be used; on `reused` its family is already revoked. */
export class RefreshRejected extends Error {
  override name = 'RefreshRejected';

  constructor(
    readonly reason: RejectionReason,
    readonly userId?: number,
    readonly familyId?: string,
  ) {
    super(`refresh token rejected: ${reason}`);
  }
}

/** Returns the SHA-256 hex digest under which a token is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Issues, rotates and revokes opaque refresh tokens. Only hashes are stored. A rotated token's
 * successor is an HMAC of it under the app secret, so a racing repeat can receive the same
 * successor without keeping any token in plain text.
 */
export class RefreshTokenStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly appSecret: string,
  ) {}

  /** Starts a new family (a new sign-in) for the user. */
  async issue(userId: number): Promise<IssuedRefreshToken> {
    const token = randomBytes(32).toString('base64url');
    const familyId = randomUUID();
    const issuedAt = new Date();
    await RefreshToken.create({
      userId,
      familyId,
      tokenHash: hashToken(token),
      expiresAt: new Date(issuedAt.getTime() + REFRESH_TOKEN_TTL_MS),
      revokedAt: null,
      rotatedAt: null,
      replacedBy: null,
    });
    return { token, userId, familyId, issuedAt };
  }

  /**
   * Exchanges a token for its successor. A rotated token presented again after the grace time
   * revokes its whole family and is rejected.
   */
  async rotate(token: string): Promise<IssuedRefreshToken> {
    let outcome = await this.tryRotate(token);
    if (outcome.kind === 'raced') {
      // Another request rotated the token between our read and our update; read again.
      outcome = await this.tryRotate(token);
    }
    switch (outcome.kind) {
      case 'issued':
        return outcome.issued;
      case 'reused':
        await this.revokeFamily(outcome.token.familyId);
        throw new RefreshRejected('reused', outcome.token.userId, outcome.token.familyId);
      case 'rejected':
        throw new RefreshRejected(outcome.reason, outcome.token?.userId, outcome.token?.familyId);
      case 'raced':
        throw new RefreshRejected('revoked', outcome.token.userId, outcome.token.familyId);
    }
  }

  private async tryRotate(token: string): Promise<RotationOutcome> {
    // An unknown token is rejected by a plain read, so garbage tokens never open a write
    // transaction.
    const known = await RefreshToken.count({ where: { tokenHash: hashToken(token) } });
    if (known === 0) {
      return { kind: 'rejected', reason: 'unknown' };
    }
    const successor = this.deriveSuccessor(token);
    return runTransaction(this.sequelize, async (transaction): Promise<RotationOutcome> => {
      const current = await RefreshToken.findOne({
        where: { tokenHash: hashToken(token) },
        transaction,
      });
      if (current === null) {
        return { kind: 'rejected', reason: 'unknown' };
      }
      const now = new Date();
      if (current.rotatedAt !== null) {
        return this.repeatRotation(current, successor, now, transaction);
      }
      if (current.revokedAt !== null) {
        return { kind: 'rejected', reason: 'revoked', token: current };
      }
      if (current.expiresAt <= now) {
        return { kind: 'rejected', reason: 'expired', token: current };
      }

      // The conditional update takes the row lock first, so of two racing rotations only one
      // creates the successor and the other gets `raced`.
      const [updated] = await RefreshToken.update(
        { revokedAt: now, rotatedAt: now },
        { where: { id: current.id, revokedAt: null }, transaction },
      );
      if (updated !== 1) {
        return { kind: 'raced', token: current };
      }
      const next = await RefreshToken.create(
        {
          userId: current.userId,
          familyId: current.familyId,
          tokenHash: hashToken(successor),
          expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
          revokedAt: null,
          rotatedAt: null,
          replacedBy: null,
        },
        { transaction },
      );
      await RefreshToken.update(
        { replacedBy: next.id },
        { where: { id: current.id }, transaction },
      );
      const issued = {
        token: successor,
        userId: current.userId,
        familyId: current.familyId,
        issuedAt: now,
      };
      return { kind: 'issued', issued };
    });
  }

  /** Revokes every live token of a family (sign-out, or detected reuse). */
  async revokeFamily(familyId: string): Promise<number> {
    const [count] = await RefreshToken.update(
      { revokedAt: new Date() },
      { where: { familyId, revokedAt: null } },
    );
    return count;
  }

  /** Revokes every live token of a user, except those of `keepFamilyId`. */
  async revokeUserSessions(userId: number, keepFamilyId?: string): Promise<number> {
    const where =
      keepFamilyId === undefined
        ? { userId, revokedAt: null }
        : { userId, revokedAt: null, familyId: { [Op.ne]: keepFamilyId } };
    const [count] = await RefreshToken.update({ revokedAt: new Date() }, { where });
    return count;
  }

  /** Returns the family and user of a stored token, live or not, for sign-out by token. */
  async findFamily(token: string): Promise<{ familyId: string; userId: number } | undefined> {
    const record = await RefreshToken.findOne({ where: { tokenHash: hashToken(token) } });
    if (record === null) {
      return undefined;
    }
    return { familyId: record.familyId, userId: record.userId };
  }

  private async repeatRotation(
    rotated: RefreshToken,
    successor: string,
    now: Date,
    transaction: Transaction,
  ): Promise<RotationOutcome> {
    const rotatedAt = rotated.rotatedAt ?? now;
    const withinGrace = now.getTime() - rotatedAt.getTime() <= ROTATION_GRACE_MS;
    const next = withinGrace
      ? await RefreshToken.findOne({ where: { tokenHash: hashToken(successor) }, transaction })
      : null;
    if (next === null || next.revokedAt !== null) {
      return { kind: 'reused', token: rotated };
    }
    const issued = {
      token: successor,
      userId: rotated.userId,
      familyId: rotated.familyId,
      issuedAt: rotatedAt,
    };
    return { kind: 'issued', issued };
  }

  private deriveSuccessor(token: string): string {
    return createHmac('sha256', this.appSecret).update(`refresh:${token}`).digest('base64url');
  }
}

/** Maps any rejection to the one 401 clients see. */
export function refreshRejectedError() {
  return unauthorized('The refresh token is invalid, expired or revoked; sign in again.');
}

import type { Logger } from 'pino';
import { UniqueConstraintError } from 'sequelize';
import { recordAudit } from '../audit.js';
import type { AppServices } from '../context.js';
import { conflict, HttpError, tooManyRequests, unauthorized } from '../errors.js';
import { User } from '../models/index.js';
import { findUserByLogin, nicknameTaken } from '../users/lookup.js';
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from './accessTokens.js';
import { hashPassword } from './passwords.js';
import { limitedPasswordCheck } from './attempts.js';
import { REGISTER_LIMIT } from './rateLimit.js';
import { refreshRejectedError, RefreshRejected, type IssuedRefreshToken } from './refreshTokens.js';

/** The client of a request, for the audit log and the rate limit. */
export interface Caller {
  ip: string;
  log: Logger;
}

/** A signed-in session: a fresh access token and the refresh token that goes with it. */
export interface SessionTokens {
  user: User;
  accessToken: string;
  expiresIn: number;
  refresh: IssuedRefreshToken;
}

const INVALID_CREDENTIALS = 'The login or password is incorrect.';
const ACCOUNT_DISABLED = 'This account is disabled. Ask an admin to enable it.';

/** Creates an account after checking the rate limit and that email and nickname are free. */
export async function register(
  services: AppServices,
  caller: Caller,
  input: { email: string; nickname: string; password: string },
): Promise<User> {
  await enforceRegisterLimit(services, caller, input.email);
  try {
    await assertEmailAndNicknameFree(input);
    const passwordHash = await hashPassword(input.password, services.config.bcryptRounds);
    let user: User;
    try {
      user = await User.create({
        email: input.email,
        nickname: input.nickname,
        passwordHash,
        role: 'user',
        lastLoginAt: null,
      });
    } catch (error) {
      // A registration racing this one took the email or nickname after the check above; the
      // unique indexes caught it, and the check now names which.
      if (error instanceof UniqueConstraintError) {
        await assertEmailAndNicknameFree(input);
      }
      throw error;
    }
    await recordAudit({
      action: 'auth.register',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      login: user.email,
      ip: caller.ip,
    });
    return user;
  } catch (error) {
    if (error instanceof HttpError) {
      await recordAudit({
        action: 'auth.register_failed',
        login: input.email,
        ip: caller.ip,
        details: { code: error.code },
      });
    }
    throw error;
  }
}

async function assertEmailAndNicknameFree(input: { email: string; nickname: string }) {
  if ((await User.count({ where: { email: input.email } })) > 0) {
    throw conflict('email_taken', `The email ${input.email} is already registered; sign in.`, {
      field: 'email',
    });
  }
  if (await nicknameTaken(input.nickname)) {
    throw conflict('nickname_taken', `The nickname ${input.nickname} is taken; choose another.`, {
      field: 'nickname',
    });
  }
}

/**
 * Checks a login (email or nickname) and password and starts a session. A wrong password, an
 * unknown login and a disabled account get the same 401; the log and the audit log record which.
 * Only a caller who gave a disabled account's right password learns that it is disabled (a 403),
 * so the difference tells nothing to someone guessing.
 */
export async function logIn(
  services: AppServices,
  caller: Caller,
  input: { login: string; password: string },
): Promise<SessionTokens> {
  const user = await findUserByLogin(input.login);
  const account = (user?.email ?? input.login.trim().toLowerCase()).slice(0, 254);
  const outcome = await limitedPasswordCheck(
    services,
    caller,
    {
      account,
      actorId: user?.id ?? null,
      pending: 'auth.login_attempt',
      failure: 'auth.login_failed',
    },
    async () => {
      const passwordMatches = await services.passwords.verify(input.password, user?.passwordHash);
      if (user === null) {
        return { ok: false, reason: 'unknown_login' };
      }
      if (!passwordMatches) {
        return { ok: false, reason: 'wrong_password' };
      }
      return user.isActive ? { ok: true } : { ok: false, reason: 'disabled' };
    },
  );
  if ('failed' in outcome || user === null) {
    caller.log.info(
      { login: account, reason: 'failed' in outcome ? outcome.failed : 'unknown_login' },
      'login failed',
    );
    if ('failed' in outcome && outcome.failed === 'disabled') {
      throw new HttpError(403, 'account_disabled', ACCOUNT_DISABLED);
    }
    throw new HttpError(401, 'invalid_credentials', INVALID_CREDENTIALS);
  }

  user.lastLoginAt = new Date();
  await user.save();
  const refresh = await services.refreshTokens.issue(user.id);
  await outcome.entry.update({
    action: 'auth.login',
    targetType: 'user',
    targetId: String(user.id),
    details: null,
  });
  return sessionTokens(services, user, refresh);
}

/** Rotates a refresh token and issues a new access token for its user. */
export async function refresh(
  services: AppServices,
  caller: Caller,
  token: string,
): Promise<SessionTokens> {
  let issued: IssuedRefreshToken;
  try {
    issued = await services.refreshTokens.rotate(token);
  } catch (error) {
    if (!(error instanceof RefreshRejected)) {
      throw error;
    }
    caller.log.info({ reason: error.reason, userId: error.userId }, 'refresh rejected');
    if (error.reason === 'reused') {
      await recordAudit({
        action: 'auth.refresh_reuse',
        actorId: error.userId ?? null,
        targetType: 'session',
        targetId: error.familyId,
        ip: caller.ip,
      });
    }
    throw refreshRejectedError();
  }
  const user = await User.findByPk(issued.userId);
  if (user === null || !user.isActive) {
    await services.refreshTokens.revokeFamily(issued.familyId);
    caller.log.info({ userId: issued.userId }, 'refresh for a missing or disabled user');
    throw unauthorized('This account is disabled or deleted; sign in again.');
  }
  return sessionTokens(services, user, issued);
}

/** Ends a session: revokes every refresh token of its family. */
export async function logOut(
  services: AppServices,
  caller: Caller,
  session: { token?: string; familyId?: string; userId?: number },
): Promise<void> {
  const found =
    session.token === undefined
      ? undefined
      : await services.refreshTokens.findFamily(session.token);
  const familyId = found?.familyId ?? session.familyId;
  if (familyId === undefined) {
    return;
  }
  await services.refreshTokens.revokeFamily(familyId);
  await recordAudit({
    action: 'auth.logout',
    actorId: found?.userId ?? session.userId ?? null,
    targetType: 'session',
    targetId: familyId,
    ip: caller.ip,
  });
}

/** Changes a password after checking the current one, and ends every other session. */
export async function changePassword(
  services: AppServices,
  caller: Caller,
  input: { user: User; sessionId: string; currentPassword: string; newPassword: string },
): Promise<void> {
  const { user } = input;
  const outcome = await limitedPasswordCheck(
    services,
    caller,
    {
      account: user.email,
      actorId: user.id,
      pending: 'auth.password_change_attempt',
      failure: 'auth.password_change_failed',
    },
    async () =>
      (await services.passwords.verify(input.currentPassword, user.passwordHash))
        ? { ok: true }
        : { ok: false, reason: 'wrong_password' },
  );
  if ('failed' in outcome) {
    caller.log.info({ userId: user.id }, 'password change with a wrong current password');
    throw new HttpError(400, 'wrong_password', 'The current password is incorrect.', {
      details: { field: 'currentPassword' },
    });
  }
  await outcome.entry.destroy();
  user.passwordHash = await hashPassword(input.newPassword, services.config.bcryptRounds);
  await user.save();
  const revoked = await services.refreshTokens.revokeUserSessions(user.id, input.sessionId);
  await recordAudit({
    action: 'auth.password_change',
    actorId: user.id,
    targetType: 'user',
    targetId: user.id,
    ip: caller.ip,
    details: { otherSessionsRevoked: revoked },
  });
}

async function enforceRegisterLimit(services: AppServices, caller: Caller, account: string) {
  const wait = await services.limiter.retryAfterSeconds(REGISTER_LIMIT, { account, ip: caller.ip });
  if (wait > 0) {
    caller.log.warn(
      { login: account, ip: caller.ip, retryAfterSeconds: wait },
      'registration blocked',
    );
    throw tooManyRequests(wait);
  }
}

function sessionTokens(
  services: AppServices,
  user: User,
  refreshToken: IssuedRefreshToken,
): SessionTokens {
  const accessToken = signAccessToken(services.accessTokenKey, {
    userId: user.id,
    role: user.role,
    sessionId: refreshToken.familyId,
    issuedAt: Math.floor(refreshToken.issuedAt.getTime() / 1000),
  });
  return { user, accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS, refresh: refreshToken };
}

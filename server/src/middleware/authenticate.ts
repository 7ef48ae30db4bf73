import jwt from 'koa-jwt';
import type { Middleware, Next } from 'koa';
import type { AccessClaims } from '../auth/accessTokens.js';
import type { AppContext, AppState } from '../context.js';
import { forbidden, unauthorized } from '../errors.js';
import { User } from '../models/index.js';

const verifiers = new WeakMap<object, Middleware>();

/**
 * Verifies the Bearer access token (HS256 only, so `alg: none` and RS/HS confusion fail) and
 * loads its user. A deleted or disabled user gets 401 even with an unexpired token. The user's
 * role is read from the database, so a demotion applies at once and a promotion no later than
 * the next access token.
 */
export async function authenticate(ctx: AppContext, next: Next): Promise<void> {
  const services = ctx.services;
  let verify = verifiers.get(services);
  if (verify === undefined) {
    verify = jwt({ secret: services.config.jwtSecret, algorithms: ['HS256'], key: 'user' });
    verifiers.set(services, verify);
  }
  await verify(ctx, async () => {
    const claims = ctx.state.user as AccessClaims;
    const userId = Number(claims.sub);
    const user = Number.isSafeInteger(userId) ? await User.findByPk(userId) : null;
    if (user === null) {
      ctx.state.log.info({ userId: claims.sub }, 'access token for a missing user');
      throw unauthorized('The account of this access token no longer exists; sign in again.');
    }
    if (!user.isActive) {
      ctx.state.log.info({ userId }, 'access token for a disabled user');
      throw unauthorized('This account is disabled; ask an admin to enable it.');
    }
    ctx.state.currentUser = user;
    await next();
  });
}

/** Lets only admins through; runs after `authenticate`. */
export const requireAdmin: Middleware<AppState, AppContext> = async (ctx, next) => {
  if (ctx.state.currentUser?.role !== 'admin') {
    throw forbidden();
  }
  await next();
};

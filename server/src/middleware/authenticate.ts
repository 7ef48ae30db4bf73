import jwt from 'koa-jwt';
import type { Middleware, Next } from 'koa';
import { z } from 'zod';
import { ROLES } from '../../../shared/src/api/users.js';
import type { AccessClaims } from '../auth/accessTokens.js';
import type { AppContext, AppState } from '../context.js';
import { forbidden, unauthorized } from '../errors.js';

const verifiers = new WeakMap<object, Middleware>();

/**
 * The claims an access token must carry. jsonwebtoken checks `exp` only when it is present, so
 * a token without it would never expire. It also accepts any JSON in `sub`, and Number() turns
 * `["1"]`, `"0x1"` and `" 1 "` into user 1.
 */
const accessClaimsSchema = z.object({
  sub: z.string().regex(/^[1-9]\d{0,15}$/),
  role: z.enum(ROLES as ['user', 'admin']),
  sid: z.string(),
  iat: z.number(),
  exp: z.number(),
});

/**
 * Verifies the Bearer access token (HS256 only, so `alg: none` and RS/HS confusion fail) and
 * loads its user through the user cache. A deleted or disabled user gets 401 even with an
 * unexpired token. The user's role is read from the user record, not the token, so a demotion
 * applies at once and a promotion no later than the next access token.
 */
export async function authenticate(ctx: AppContext, next: Next): Promise<void> {
  const services = ctx.services;
  let verify = verifiers.get(services);
  if (verify === undefined) {
    // koa-jwt hands the secret to jsonwebtoken.verify, which takes a KeyObject; koa-jwt's type
    // declarations list only strings and Buffers.
    const secret = services.accessTokenKey as unknown as jwt.Secret;
    verify = jwt({ secret, algorithms: ['HS256'], key: 'user' });
    verifiers.set(services, verify);
  }
  await verify(ctx, async () => {
    const parsed = accessClaimsSchema.safeParse(ctx.state.user);
    if (!parsed.success) {
      ctx.state.log.info(
        { issues: parsed.error.issues.map((issue) => issue.path.join('.') || 'token') },
        'access token with invalid claims',
      );
      throw unauthorized();
    }
    const claims: AccessClaims = parsed.data;
    ctx.state.user = claims;
    const userId = Number(claims.sub);
    const user = Number.isSafeInteger(userId) ? await services.users.get(userId) : null;
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

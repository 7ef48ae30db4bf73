import jwt from 'koa-jwt';
import type { Middleware, Next } from 'koa';
import { z } from 'zod';
import { ROLES } from '../../../shared/src/api/users.js';
import type { AccessClaims } from '../auth/accessTokens.js';
import type { AppContext, AppState } from '../context.js';
import { forbidden, unauthorized } from '../errors.js';

const verifiers = new WeakMap<object, Middleware>();

/** Verified tokens by their exact text, per server, so a repeated token skips the HMAC check. */
const verifiedTokens = new WeakMap<object, Map<string, AccessClaims>>();

/** Entries beyond this are dropped all at once. */
const MAX_VERIFIED_TOKENS = 10_000;

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
    // koa-jwt hands the secret to jsonwebtoken.verify, which takes a KeyObject, but koa-jwt's
    // type declarations list only strings and Buffers.
    const secret = services.accessTokenKey as unknown as jwt.Secret;
    verify = jwt({ secret, algorithms: ['HS256'], key: 'user' });
    verifiers.set(services, verify);
  }
  const token = bearerToken(ctx);
  let cache = verifiedTokens.get(services);
  if (cache === undefined) {
    cache = new Map();
    verifiedTokens.set(services, cache);
  }
  const cached = token === undefined ? undefined : cache.get(token);
  if (cached !== undefined && cached.exp * 1000 > Date.now()) {
    // This exact token verified before and has not expired, so its signature and claims are
    // valid. Only the user is checked again.
    ctx.state.user = cached;
    await loadUser(ctx, cached, next);
    return;
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
    if (token !== undefined && cache !== undefined) {
      if (cache.size >= MAX_VERIFIED_TOKENS) {
        cache.clear();
      }
      cache.set(token, claims);
    }
    await loadUser(ctx, claims, next);
  });
}

async function loadUser(ctx: AppContext, claims: AccessClaims, next: Next): Promise<void> {
  const services = ctx.services;
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
}

function bearerToken(ctx: AppContext): string | undefined {
  const header = ctx.get('Authorization');
  return header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** Lets only admins through; runs after `authenticate`. */
export const requireAdmin: Middleware<AppState, AppContext> = async (ctx, next) => {
  if (ctx.state.currentUser?.role !== 'admin') {
    throw forbidden();
  }
  await next();
};

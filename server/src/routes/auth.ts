import type { TokenResponse } from '../../../shared/src/api/users.js';
import { REFRESH_TOKEN_TTL_MS } from '../auth/refreshTokens.js';
import {
  changePasswordBody,
  loginBody,
  logoutBody,
  refreshBody,
  registerBody,
  tokenResponse,
  userResponse,
} from '../auth/schemas.js';
import {
  changePassword,
  logIn,
  logOut,
  refresh,
  register,
  type SessionTokens,
} from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import type { User } from '../models/index.js';
import { unauthorized } from '../errors.js';
import { presentUser } from '../presenters/user.js';
import { defineRoute, type RouteTarget } from '../routing.js';

/** The browser refresh-token cookie: HttpOnly, SameSite=Strict, sent only to `/api/auth`. */
export const REFRESH_COOKIE = 'lw_refresh';
const COOKIE_PATH = '/api/auth';

/** Registers `/api/auth/*`: register, login, refresh, logout, me and password change. */
export function registerAuthRoutes(target: RouteTarget): void {
  defineRegister(target);
  defineLogin(target);
  defineRefresh(target);
  defineLogout(target);
  defineMe(target);
  defineChangePassword(target);
}

function defineRegister(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/auth/register',
      summary: 'Create an account',
      tag: 'auth',
      access: 'public',
      body: registerBody,
      responses: { 201: { description: 'Created', schema: userResponse } },
    },
    async (ctx, { body }) => {
      const user = await register(ctx.services, caller(ctx), body);
      ctx.status = 201;
      ctx.body = { user: presentUser(user) };
    },
  );
}

function defineLogin(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/auth/login',
      summary: 'Sign in with email or nickname',
      tag: 'auth',
      access: 'public',
      body: loginBody,
      responses: { 200: { description: 'Signed in', schema: tokenResponse } },
    },
    async (ctx, { body }) => {
      const session = await logIn(ctx.services, caller(ctx), body);
      respondWithSession(ctx, session, body.tokenDelivery ?? 'cookie');
    },
  );
}

function defineRefresh(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/auth/refresh',
      summary: 'Exchange a refresh token (cookie or body) for a new pair',
      tag: 'auth',
      access: 'public',
      body: refreshBody,
      responses: { 200: { description: 'Rotated', schema: tokenResponse } },
    },
    async (ctx, { body }) => {
      const token = body.refreshToken ?? ctx.cookies.get(REFRESH_COOKIE);
      if (token === undefined || token === '') {
        throw unauthorized('No refresh token was sent; sign in again.');
      }
      const delivery = body.tokenDelivery ?? (body.refreshToken === undefined ? 'cookie' : 'body');
      const session = await refresh(ctx.services, caller(ctx), token);
      respondWithSession(ctx, session, delivery);
    },
  );
}

function defineLogout(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/auth/logout',
      summary: 'End the session of a refresh token (cookie or body)',
      tag: 'auth',
      access: 'public',
      body: logoutBody,
      responses: { 204: { description: 'Signed out' } },
    },
    async (ctx, { body }) => {
      const token = body.refreshToken ?? ctx.cookies.get(REFRESH_COOKIE);
      await logOut(ctx.services, caller(ctx), token === undefined ? {} : { token });
      clearRefreshCookie(ctx);
      ctx.status = 204;
    },
  );
}

function defineMe(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/auth/me',
      summary: 'The signed-in user',
      tag: 'auth',
      access: 'user',
      responses: { 200: { description: 'The user', schema: userResponse } },
    },
    (ctx) => {
      const user = signedInUser(ctx);
      let body = meResponses.get(user);
      if (body === undefined) {
        body = JSON.stringify({ user: presentUser(user) });
        meResponses.set(user, body);
      }
      ctx.type = 'application/json';
      ctx.body = body;
    },
  );
}

/**
 * The `GET /api/auth/me` body by user record. The user cache hands out one record per user for a
 * few seconds and loads a new one after any change, so a body is never older than its record.
 */
const meResponses = new WeakMap<User, string>();

function defineChangePassword(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'put',
      path: '/api/auth/password',
      summary: 'Change the password; ends every other session',
      tag: 'auth',
      access: 'user',
      body: changePasswordBody,
      responses: { 204: { description: 'Changed' } },
    },
    async (ctx, { body }) => {
      await changePassword(ctx.services, caller(ctx), {
        user: signedInUser(ctx),
        sessionId: ctx.state.user?.sid ?? '',
        currentPassword: body.currentPassword,
        newPassword: body.newPassword,
      });
      ctx.status = 204;
    },
  );
}

function caller(ctx: AppContext) {
  return { ip: ctx.ip, log: ctx.state.log };
}

function signedInUser(ctx: AppContext) {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}

function respondWithSession(ctx: AppContext, session: SessionTokens, delivery: 'cookie' | 'body') {
  const body: TokenResponse = {
    accessToken: session.accessToken,
    expiresIn: session.expiresIn,
    user: presentUser(session.user),
  };
  if (delivery === 'body') {
    body.refreshToken = session.refresh.token;
  } else {
    ctx.cookies.set(REFRESH_COOKIE, session.refresh.token, {
      httpOnly: true,
      sameSite: 'strict',
      path: COOKIE_PATH,
      secure: ctx.secure,
      maxAge: REFRESH_TOKEN_TTL_MS,
      overwrite: true,
    });
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

function clearRefreshCookie(ctx: AppContext) {
  ctx.cookies.set(REFRESH_COOKIE, '', {
    httpOnly: true,
    sameSite: 'strict',
    path: COOKIE_PATH,
    secure: ctx.secure,
    maxAge: 0,
    overwrite: true,
  });
}

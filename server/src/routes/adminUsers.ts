import { z } from 'zod';
import { ROLES } from '../../../shared/src/api/users.js';
import { userSchema } from '../auth/schemas.js';
import type { AppContext } from '../context.js';
import { badRequest } from '../errors.js';
import { presentUser } from '../presenters/user.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { queryInteger } from '../validation/query.js';
import {
  deleteUser,
  listUsers,
  updateUser,
  USER_SORT_FIELDS,
  userCounts,
} from '../users/administration.js';

const userIdParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a numeric user id')
    .transform(Number),
});

const booleanText = z.enum(['true', 'false']).transform((text) => text === 'true');

const listQuery = z.object({
  role: z.enum(ROLES as ['user', 'admin']).optional(),
  active: booleanText.optional(),
  q: z.string().max(254).optional(),
  sort: z
    .enum(USER_SORT_FIELDS, { error: `must be one of ${USER_SORT_FIELDS.join(', ')}` })
    .optional(),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
  page: queryInteger(1, 100_000).default(1),
  pageSize: queryInteger(1, 200).default(50),
});

const changeBody = z
  .object({
    role: z.enum(ROLES as ['user', 'admin']).optional(),
    isActive: z.boolean().optional(),
  })
  .strict();

/** Registers `/api/admin/users` and `/api/admin/stats`; all of it needs the admin role. */
export function registerAdminUserRoutes(target: RouteTarget): void {
  defineListUsers(target);
  defineUpdateUser(target);
  defineDeleteUser(target);
  defineStats(target);
}

function defineListUsers(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/users',
      summary:
        'List users, filtered by role, active state and a search of email or nickname, and sorted',
      tag: 'admin',
      access: 'admin',
      query: listQuery,
      responses: {
        200: {
          description: 'A page of users',
          schema: z.object({
            users: z.array(userSchema),
            total: z.number().int(),
            page: z.number().int(),
            pageSize: z.number().int(),
          }),
        },
      },
    },
    async (ctx, { query }) => {
      const { users, total } = await listUsers({
        ...query,
        ...(query.q === undefined ? {} : { search: query.q }),
      });
      ctx.body = {
        users: users.map(presentUser),
        total,
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  );
}

function defineUpdateUser(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'patch',
      path: '/api/admin/users/:id',
      summary: 'Change a user role or enable or disable the user',
      tag: 'admin',
      access: 'admin',
      params: userIdParams,
      body: changeBody,
      responses: {
        200: { description: 'The changed user', schema: z.object({ user: userSchema }) },
      },
    },
    async (ctx, { params, body }) => {
      if (body.role === undefined && body.isActive === undefined) {
        throw badRequest('validation_failed', 'Send role or isActive to change.');
      }
      const user = await updateUser(ctx.services, actor(ctx), params.id, body);
      ctx.body = { user: presentUser(user) };
    },
  );
}

function defineDeleteUser(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/admin/users/:id',
      summary: 'Delete a user and their sessions',
      tag: 'admin',
      access: 'admin',
      params: userIdParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      await deleteUser(ctx.services, actor(ctx), params.id);
      ctx.status = 204;
    },
  );
}

function defineStats(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/stats',
      summary: 'User counts for the admin stats page',
      tag: 'admin',
      access: 'admin',
      responses: {
        200: {
          description: 'Counts',
          schema: z.object({ users: z.record(z.string(), z.number().int()) }),
        },
      },
    },
    async (ctx) => {
      ctx.body = { users: await userCounts() };
    },
  );
}

function actor(ctx: AppContext) {
  return { id: ctx.state.currentUser?.id ?? 0, ip: ctx.ip };
}

import { Op, type WhereOptions } from 'sequelize';
import { z } from 'zod';
import { AuditLog, User } from '../models/index.js';
import { defineRoute, type RouteTarget } from '../routing.js';
import { findUserByLogin } from '../users/lookup.js';
import { queryInteger } from '../validation/query.js';

/** The largest value of the INT id columns in MySQL. */
const MAX_ID = 2_147_483_647;

const auditQuery = z.object({
  action: z.string().max(64).optional(),
  actorId: queryInteger(1, MAX_ID).optional(),
  user: z.string().trim().min(1, 'must not be empty').max(254).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  page: queryInteger(1, 100_000).default(1),
  pageSize: queryInteger(1, 500).default(100),
});

const auditEntry = z.object({
  id: z.number().int(),
  actorId: z.number().int().nullable(),
  /** The actor's current nickname, or null when there is no actor or it was deleted. */
  actorNickname: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  login: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
});

/**
 * Registers `GET /api/admin/audit-log`, newest first. `user` takes a user id, email or nickname
 * and matches what the user did, what was done to the user, and failed sign-ins with the user's
 * email. Text that names no user matches failed sign-ins with that login. `since` is inclusive
 * and `until` exclusive.
 */
export function registerAdminAuditRoutes(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/admin/audit-log',
      summary: 'Audit log entries, filtered by action, actor, user and time',
      tag: 'admin',
      access: 'admin',
      query: auditQuery,
      responses: {
        200: {
          description: 'A page of entries',
          schema: z.object({ entries: z.array(auditEntry), total: z.number().int() }),
        },
      },
    },
    async (ctx, { query }) => {
      const where = await auditFilters(query);

      const { rows, count } = await AuditLog.findAndCountAll({
        where: { [Op.and]: where },
        order: [['id', 'DESC']],
        limit: query.pageSize,
        offset: (query.page - 1) * query.pageSize,
      });
      const nicknames = await nicknamesOf(rows.map((row) => row.actorId));

      ctx.body = {
        entries: rows.map((row) => ({
          ...row.get({ plain: true }),
          actorNickname: row.actorId === null ? null : (nicknames.get(row.actorId) ?? null),
          createdAt: row.createdAt.toISOString(),
        })),
        total: count,
      };
    },
  );
}

async function auditFilters(query: z.output<typeof auditQuery>): Promise<WhereOptions[]> {
  const where: WhereOptions[] = [];
  if (query.action !== undefined) {
    where.push({ action: query.action });
  }
  if (query.actorId !== undefined) {
    where.push({ actorId: query.actorId });
  }
  if (query.user !== undefined) {
    where.push(await userFilter(query.user));
  }
  if (query.since !== undefined) {
    where.push({ createdAt: { [Op.gte]: new Date(query.since) } });
  }
  if (query.until !== undefined) {
    where.push({ createdAt: { [Op.lt]: new Date(query.until) } });
  }
  return where;
}

async function userFilter(text: string): Promise<WhereOptions> {
  if (/^\d{1,10}$/.test(text)) {
    return involvingUser(Number(text));
  }
  const user = await findUserByLogin(text);
  if (user === null) {
    return { login: text.toLowerCase() };
  }
  return { [Op.or]: [involvingUser(user.id), { login: user.email }] };
}

function involvingUser(userId: number): WhereOptions {
  return { [Op.or]: [{ actorId: userId }, { targetType: 'user', targetId: String(userId) }] };
}

async function nicknamesOf(ids: (number | null)[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids.filter((id) => id !== null))];
  if (unique.length === 0) {
    return new Map();
  }
  const users = await User.findAll({
    where: { id: { [Op.in]: unique } },
    attributes: ['id', 'nickname'],
  });
  return new Map(users.map((user) => [user.id, user.nickname]));
}

import { Op, Sequelize, type OrderItem, type Transaction, type WhereOptions } from 'sequelize';
import type { Role } from '../../../shared/src/api/users.js';
import { recordAudit, type AuditEntry } from '../audit.js';
import type { AppServices } from '../context.js';
import { transactionWithRetry } from '../db/transactions.js';
import { conflict, notFound } from '../errors.js';
import { RefreshToken, User } from '../models/index.js';

/** The fields the user list can be sorted by. */
export const USER_SORT_FIELDS = [
  'createdAt',
  'email',
  'nickname',
  'role',
  'isActive',
  'lastLoginAt',
] as const;

export type UserSortField = (typeof USER_SORT_FIELDS)[number];

/** Filters, sort order and paging for the user list. */
export interface UserQuery {
  role?: Role;
  active?: boolean;
  search?: string;
  /** Newest first when unset. */
  sort?: UserSortField;
  /** Descending when unset. */
  order?: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

/**
 * Lists users, sorted by `sort` with ties in id order, so pages never overlap. The search matches
 * part of the email or nickname.
 */
export async function listUsers(query: UserQuery): Promise<{ users: User[]; total: number }> {
  const where: WhereOptions[] = [];
  if (query.role !== undefined) {
    where.push({ role: query.role });
  }
  if (query.active !== undefined) {
    where.push({ isActive: query.active });
  }
  if (query.search !== undefined && query.search !== '') {
    // INSTR is a plain substring test in both SQLite and MySQL, so % and _ need no escaping.
    const needle = query.search.toLowerCase();
    where.push({
      [Op.or]: [containsText('email', needle), containsText('nickname', needle)],
    });
  }
  const { rows, count } = await User.findAndCountAll({
    where: { [Op.and]: where },
    order: userOrder(query),
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return { users: rows, total: count };
}

/** Text sorts ignore case, as MySQL's collation does, unlike SQLite's default collation. */
const CASELESS_SORT_FIELDS: readonly UserSortField[] = ['email', 'nickname'];

function userOrder(query: UserQuery): OrderItem[] {
  const sort = query.sort ?? 'createdAt';
  const direction = query.order === 'asc' ? 'ASC' : 'DESC';
  const key = CASELESS_SORT_FIELDS.includes(sort)
    ? Sequelize.fn('lower', Sequelize.col(sort))
    : sort;
  return [
    [key, direction],
    ['id', direction],
  ];
}

/** A change to a user made by an admin. */
export interface UserChange {
  role?: Role;
  isActive?: boolean;
}

/**
 * Changes a user's role or active state. Disabling revokes the user's sessions. The last active
 * admin cannot be demoted or disabled.
 */
export async function updateUser(
  services: AppServices,
  actor: { id: number; ip: string },
  userId: number,
  change: UserChange,
): Promise<User> {
  const logger = services.logger.child({ userId });
  return transactionWithRetry(services.sequelize, logger, async (transaction) => {
    const user = await findForUpdate(userId, transaction);
    const losesAdmin =
      user.role === 'admin' &&
      user.isActive &&
      (change.role === 'user' || change.isActive === false);
    if (losesAdmin) {
      await ensureAnotherActiveAdmin(
        user,
        transaction,
        change.role === 'user' ? 'demote' : 'disable',
      );
    }
    const audits: Pick<AuditEntry, 'action' | 'details'>[] = [];
    if (change.role !== undefined && change.role !== user.role) {
      audits.push({ action: 'user.role_change', details: { from: user.role, to: change.role } });
      user.role = change.role;
    }
    if (change.isActive !== undefined && change.isActive !== user.isActive) {
      audits.push({ action: change.isActive ? 'user.enable' : 'user.disable' });
      user.isActive = change.isActive;
      if (!change.isActive) {
        await RefreshToken.update(
          { revokedAt: new Date() },
          { where: { userId: user.id, revokedAt: null }, transaction },
        );
      }
    }
    await user.save({ transaction });
    for (const audit of audits) {
      await recordAudit(
        { ...audit, actorId: actor.id, targetType: 'user', targetId: user.id, ip: actor.ip },
        transaction,
      );
    }
    return user;
  });
}

/** Deletes a user and their sessions. The last active admin cannot be deleted. */
export async function deleteUser(
  services: AppServices,
  actor: { id: number; ip: string },
  userId: number,
): Promise<void> {
  const logger = services.logger.child({ userId });
  await transactionWithRetry(services.sequelize, logger, async (transaction) => {
    const user = await findForUpdate(userId, transaction);
    if (user.role === 'admin' && user.isActive) {
      await ensureAnotherActiveAdmin(user, transaction, 'delete');
    }
    await RefreshToken.destroy({ where: { userId: user.id }, transaction });
    await user.destroy({ transaction });
    await recordAudit(
      {
        action: 'user.delete',
        actorId: actor.id,
        targetType: 'user',
        targetId: user.id,
        ip: actor.ip,
        details: { email: user.email, nickname: user.nickname },
      },
      transaction,
    );
  });
}

/** Counts for the admin stats page. */
export async function userCounts(): Promise<Record<string, number>> {
  const [total, active, admins, activeAdmins] = await Promise.all([
    User.count(),
    User.count({ where: { isActive: true } }),
    User.count({ where: { role: 'admin' } }),
    User.count({ where: { role: 'admin', isActive: true } }),
  ]);
  return { total, active, disabled: total - active, admins, activeAdmins };
}

async function findForUpdate(userId: number, transaction: Transaction): Promise<User> {
  const user = await User.findByPk(userId, { transaction, lock: transaction.LOCK.UPDATE });
  if (user === null) {
    throw notFound('User', userId);
  }
  return user;
}

async function ensureAnotherActiveAdmin(
  user: User,
  transaction: Transaction,
  verb: 'demote' | 'disable' | 'delete',
): Promise<void> {
  // Locking the admin rows makes two admins demoting each other at once take turns. On MySQL
  // each already holds its target's row lock, so InnoDB may roll one back as a deadlock, and
  // transactionWithRetry runs it again after the other has committed.
  const others = await User.findAll({
    where: { role: 'admin', isActive: true, id: { [Op.ne]: user.id } },
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
  if (others.length === 0) {
    throw conflict(
      'last_admin',
      `Cannot ${verb} ${user.nickname}: they are the last active admin; make another user an ` +
        'admin first.',
    );
  }
}

function containsText(column: string, needle: string) {
  return Sequelize.where(
    Sequelize.fn('instr', Sequelize.fn('lower', Sequelize.col(column)), needle),
    {
      [Op.gt]: 0,
    },
  );
}

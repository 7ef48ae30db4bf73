import type { ApiUser } from '../../../shared/src/api/users.js';
import type { User } from '../models/index.js';

/** Shapes a user for API responses; the password hash never leaves the server. */
export function presentUser(user: User): ApiUser {
  return {
    id: user.id,
    email: user.email,
    nickname: user.nickname,
    role: user.role,
    isActive: user.isActive,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt === null ? null : user.lastLoginAt.toISOString(),
  };
}

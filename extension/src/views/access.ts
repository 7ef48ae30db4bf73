import type { ApiUser } from '../../../shared/src/api/users.js';

/**
 * Reports whether the user may change a provider or model config owned by `ownerId`: their own
 * records, and every record for an admin, as the server's policies decide.
 */
export function canChange(user: ApiUser | undefined, ownerId: number): boolean {
  return user !== undefined && (user.role === 'admin' || user.id === ownerId);
}

import { Op, type WhereOptions } from 'sequelize';
import { forbidden, notFound } from '../errors.js';
import type { Provider, User } from '../models/index.js';

/** Returns the providers a user may see: their own and shared ones; admins see all. */
export function readableProviders(user: User): WhereOptions<Provider> {
  if (user.role === 'admin') {
    return {};
  }
  return { [Op.or]: [{ ownerId: user.id }, { shared: true }] };
}

/** Throws 404 unless the user may see the provider (a hidden provider looks absent). */
export function assertCanRead(user: User, provider: Provider | null, id: number): Provider {
  if (
    provider === null ||
    !(user.role === 'admin' || provider.ownerId === user.id || provider.shared)
  ) {
    throw notFound('Provider', id);
  }
  return provider;
}

/** Throws unless the user owns the provider or is an admin. */
export function assertCanWrite(user: User, provider: Provider): void {
  if (user.role !== 'admin' && provider.ownerId !== user.id) {
    throw forbidden(
      `Provider ${provider.id} is shared with you; only its owner or an admin can change it.`,
    );
  }
}

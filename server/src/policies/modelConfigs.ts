import { Op, type WhereOptions } from 'sequelize';
import { forbidden, notFound } from '../errors.js';
import { Provider, type ModelConfig, type User } from '../models/index.js';

/**
 * Returns the model configs a user may see: their own, and the configs that the owner of a
 * shared provider made on it, which are offered to everyone. Admins see all. Configs other users
 * made on a shared provider stay private to them.
 */
export async function readableModelConfigs(user: User): Promise<WhereOptions<ModelConfig>> {
  if (user.role === 'admin') {
    return {};
  }
  const sharedProviders = await Provider.findAll({
    where: { shared: true },
    attributes: ['id', 'ownerId'],
  });
  return {
    [Op.or]: [
      { ownerId: user.id },
      ...sharedProviders.map((provider) => ({
        providerId: provider.id,
        ownerId: provider.ownerId,
      })),
    ],
  };
}

/** Reports whether the config is offered to everyone: its provider's owner made it and shares it. */
export function isSharedConfig(config: ModelConfig, provider: Provider): boolean {
  return provider.shared && config.ownerId === provider.ownerId;
}

/**
 * Throws 404 unless the user may see the config, so a config of another user looks absent.
 * `provider` is the config's provider.
 */
export function assertCanReadConfig(
  user: User,
  config: ModelConfig | null,
  provider: Provider | null,
  id: number,
): { config: ModelConfig; provider: Provider } {
  if (
    config === null ||
    provider === null ||
    !(user.role === 'admin' || config.ownerId === user.id || isSharedConfig(config, provider))
  ) {
    throw notFound('Model config', id);
  }
  return { config, provider };
}

/** Throws 403 unless the user owns the config or is an admin. */
export function assertCanWriteConfig(user: User, config: ModelConfig, provider: Provider): void {
  if (user.role !== 'admin' && config.ownerId !== user.id) {
    throw forbidden(
      `Model config ${config.id} is shared through provider ${provider.name}; only its owner or an admin can change it.`,
    );
  }
}

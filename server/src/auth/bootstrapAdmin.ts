import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit.js';
import type { AppServices } from '../context.js';
import { User } from '../models/index.js';
import { hashPassword } from './passwords.js';

/** The admin's email when ADMIN_EMAIL is unset. */
export const DEFAULT_ADMIN_EMAIL = 'admin@llm-workbench.local';
export const DEFAULT_ADMIN_NICKNAME = 'admin';

/** The admin the first start created. `generatedPassword` is set only when none was configured. */
export interface CreatedAdmin {
  email: string;
  nickname: string;
  generatedPassword?: string;
}

/**
 * Creates the first admin when the users table is empty, from ADMIN_EMAIL and ADMIN_PASSWORD or
 * with a generated password that the caller prints once. Returns undefined when users exist.
 */
export async function createFirstAdmin(services: AppServices): Promise<CreatedAdmin | undefined> {
  if ((await User.count()) > 0) {
    return undefined;
  }
  const email = services.config.adminEmail?.toLowerCase() ?? DEFAULT_ADMIN_EMAIL;
  const configured = services.config.adminPassword;
  const password = configured ?? randomBytes(18).toString('base64url');
  const admin = await User.create({
    email,
    nickname: DEFAULT_ADMIN_NICKNAME,
    passwordHash: await hashPassword(password, services.config.bcryptRounds),
    role: 'admin',
    lastLoginAt: null,
  });
  await recordAudit({
    action: 'user.create_admin',
    targetType: 'user',
    targetId: admin.id,
    details: { email, passwordGenerated: configured === undefined },
  });
  services.logger.info({ userId: admin.id, email }, 'created the first admin');
  return configured === undefined
    ? { email, nickname: DEFAULT_ADMIN_NICKNAME, generatedPassword: password }
    : { email, nickname: DEFAULT_ADMIN_NICKNAME };
}

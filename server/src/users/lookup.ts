import { Op, type Transaction } from 'sequelize';
import { User } from '../models/index.js';

/** Finds a user by email (case-insensitive, stored lowercase) or by nickname (case-insensitive). */
export function findUserByLogin(login: string): Promise<User | null> {
  const lowered = login.trim().toLowerCase();
  return User.findOne({ where: { [Op.or]: [{ email: lowered }, { nicknameKey: lowered }] } });
}

/** Returns whether another user already has this nickname, ignoring case. */
export async function nicknameTaken(nickname: string, transaction?: Transaction): Promise<boolean> {
  const count = await User.count({
    where: { nicknameKey: nickname.toLowerCase() },
    ...(transaction === undefined ? {} : { transaction }),
  });
  return count > 0;
}

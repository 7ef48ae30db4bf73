import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import type { Role } from '../../../shared/src/api/users.js';

/** A person who signs in; `password_hash` is a bcrypt hash. */
export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare email: string;
  declare nickname: string;
  /** The nickname in lowercase, kept by a hook; unique, so nicknames differ in more than case. */
  declare nicknameKey: CreationOptional<string>;
  declare passwordHash: string;
  declare role: Role;
  declare isActive: CreationOptional<boolean>;
  declare lastLoginAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof User {
    return User.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        email: { type: DataTypes.STRING(254), allowNull: false, unique: true },
        nickname: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        nicknameKey: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        passwordHash: { type: DataTypes.STRING(100), allowNull: false },
        role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'user' },
        isActive: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        lastLoginAt: { type: DataTypes.DATE(3), allowNull: true, defaultValue: null },
        createdAt: DataTypes.DATE(3),
        updatedAt: DataTypes.DATE(3),
      },
      {
        sequelize,
        tableName: 'users',
        underscored: true,
        hooks: {
          beforeValidate: (user: User) => {
            // Bulk updates validate a partial instance that may carry no nickname.
            if (typeof user.nickname === 'string') {
              user.nicknameKey = user.nickname.toLowerCase();
            }
          },
        },
      },
    );
  }
}

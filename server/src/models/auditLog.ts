import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** Maximum lengths in characters of the text columns; audit.ts cuts longer values to fit. */
export const AUDIT_TEXT_LENGTHS = {
  action: 64,
  targetType: 32,
  targetId: 64,
  login: 254,
  ip: 64,
} as const;

/**
 * One audited event: who (`actorId`, or the attempted `login` when no user is signed in), what
 * (`action` on `targetType`/`targetId`), when and from which address.
 */
export class AuditLog extends Model<InferAttributes<AuditLog>, InferCreationAttributes<AuditLog>> {
  declare id: CreationOptional<number>;
  declare actorId: number | null;
  declare action: string;
  declare targetType: string | null;
  declare targetId: string | null;
  declare login: string | null;
  declare ip: string | null;
  declare details: Record<string, unknown> | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): typeof AuditLog {
    return AuditLog.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        actorId: { type: DataTypes.INTEGER, allowNull: true },
        action: { type: DataTypes.STRING(AUDIT_TEXT_LENGTHS.action), allowNull: false },
        targetType: { type: DataTypes.STRING(AUDIT_TEXT_LENGTHS.targetType), allowNull: true },
        targetId: { type: DataTypes.STRING(AUDIT_TEXT_LENGTHS.targetId), allowNull: true },
        login: { type: DataTypes.STRING(AUDIT_TEXT_LENGTHS.login), allowNull: true },
        ip: { type: DataTypes.STRING(AUDIT_TEXT_LENGTHS.ip), allowNull: true },
        details: { type: DataTypes.JSON, allowNull: true },
        createdAt: DataTypes.DATE(3),
      },
      { sequelize, tableName: 'audit_log', underscored: true, updatedAt: false },
    );
  }
}

import { DataTypes, type Sequelize } from 'sequelize';

/**
 * Returns the column type for long text: MEDIUMTEXT (up to 16 MiB) on MySQL. SQLite has a single
 * TEXT type without sizes, and Sequelize prints a warning when a TEXT there is given one.
 */
export function mediumText(sequelize: Sequelize) {
  return sequelize.getDialect() === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium');
}

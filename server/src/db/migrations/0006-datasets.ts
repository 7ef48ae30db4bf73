import { DataTypes, type QueryInterface } from 'sequelize';
import { TABLE_OPTIONS } from './0001-users-and-auth.js';

/** Creates the datasets table and the dataset_uploads table of resumable uploads. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await createDatasets(qi);
  await createDatasetUploads(qi);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('dataset_uploads');
  await qi.dropTable('datasets');
}

async function createDatasets(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'datasets',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      name: { type: DataTypes.STRING(200), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: true },
      // The name the client sent, shown to users only; the file on disk is named by stored_file.
      original_file_name: { type: DataTypes.STRING(255), allowNull: false },
      // `<sha256>.<file type>` under DATA_DIR/datasets; datasets with the same bytes and type share it.
      stored_file: { type: DataTypes.STRING(80), allowNull: false },
      size_bytes: { type: DataTypes.BIGINT, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      file_type: { type: DataTypes.STRING(8), allowNull: false },
      // SCHEMA is a reserved word in MySQL, hence the longer column name.
      record_schema: { type: DataTypes.STRING(16), allowNull: false },
      record_count: { type: DataTypes.INTEGER, allowNull: false },
      valid_count: { type: DataTypes.INTEGER, allowNull: false },
      invalid_count: { type: DataTypes.INTEGER, allowNull: false },
      report: { type: DataTypes.JSON, allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  // One dataset per user for the same bytes read as the same file type: a re-upload finds it.
  await qi.addIndex('datasets', ['owner_id', 'sha256', 'file_type'], { unique: true });
  await qi.addIndex('datasets', ['owner_id', 'created_at']);
  await qi.addIndex('datasets', ['stored_file']);
}

async function createDatasetUploads(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'dataset_uploads',
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      file_name: { type: DataTypes.STRING(255), allowNull: false },
      file_type: { type: DataTypes.STRING(8), allowNull: false },
      size_bytes: { type: DataTypes.BIGINT, allowNull: false },
      // The digest the client announced, checked when the upload completes.
      sha256: { type: DataTypes.STRING(64), allowNull: true },
      received_bytes: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      // Set when the upload completed, so that a repeated complete request returns the dataset.
      dataset_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'datasets', key: 'id' },
        onDelete: 'SET NULL',
      },
      expires_at: { type: DataTypes.DATE(3), allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('dataset_uploads', ['expires_at']);
  await qi.addIndex('dataset_uploads', ['owner_id']);
}

import { DataTypes, type QueryInterface } from 'sequelize';
import { TABLE_OPTIONS } from './0001-users-and-auth.js';

/** Creates the gpu_hosts, training_tasks and training_metrics tables. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await createGpuHosts(qi);
  await createTrainingTasks(qi);
  await createTrainingMetrics(qi);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('training_metrics');
  await qi.dropTable('training_tasks');
  await qi.dropTable('gpu_hosts');
}

async function createGpuHosts(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'gpu_hosts',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      host: { type: DataTypes.STRING(253), allowNull: false },
      port: { type: DataTypes.INTEGER, allowNull: false },
      username: { type: DataTypes.STRING(32), allowNull: false },
      // The key and its passphrase as one encrypted JSON object.
      private_key_encrypted: { type: DataTypes.TEXT, allowNull: false },
      key_fingerprint: { type: DataTypes.STRING(64), allowNull: false },
      host_key_fingerprint: { type: DataTypes.STRING(64), allowNull: true },
      work_dir: { type: DataTypes.STRING(512), allowNull: false },
      setup_command: { type: DataTypes.TEXT, allowNull: false },
      launcher: { type: DataTypes.STRING(16), allowNull: false },
      max_concurrent_runs: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
}

async function createTrainingTasks(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'training_tasks',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      owner_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
      },
      name: { type: DataTypes.STRING(200), allowNull: false },
      base_model: { type: DataTypes.STRING(512), allowNull: false },
      // NOTE: no foreign key, because the datasets table comes in a later migration.
      dataset_id: { type: DataTypes.INTEGER, allowNull: false },
      // Name, record count and size of the dataset when the run started, for the report.
      dataset_snapshot: { type: DataTypes.JSON, allowNull: true },
      // A task outlives its host so that its metrics and report stay readable.
      gpu_host_id: {
        type: DataTypes.INTEGER,
        allowNull: true,
        references: { model: 'gpu_hosts', key: 'id' },
        onDelete: 'SET NULL',
      },
      parameters: { type: DataTypes.JSON, allowNull: false },
      status: { type: DataTypes.STRING(16), allowNull: false },
      step: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      total_steps: { type: DataTypes.INTEGER, allowNull: true },
      percent: { type: DataTypes.DOUBLE, allowNull: false, defaultValue: 0 },
      epoch: { type: DataTypes.DOUBLE, allowNull: true },
      remaining_ms: { type: DataTypes.BIGINT, allowNull: true },
      elapsed_ms: { type: DataTypes.BIGINT, allowNull: true },
      run_dir: { type: DataTypes.STRING(1024), allowNull: true },
      process_group: { type: DataTypes.INTEGER, allowNull: true },
      exit_code: { type: DataTypes.INTEGER, allowNull: true },
      error_tail: { type: DataTypes.TEXT, allowNull: true },
      adapter_path: { type: DataTypes.STRING(1100), allowNull: true },
      swanlab_url: { type: DataTypes.STRING(1024), allowNull: true },
      // Byte offsets up to which train.log and trainer_log.jsonl were read and stored, so a
      // watcher that reconnects or restarts reads on from there.
      log_offset: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      metrics_offset: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      // The checkpoint directory the next launch resumes from, relative to the run directory.
      resume_checkpoint: { type: DataTypes.STRING(255), allowNull: true },
      stop_requested_at: { type: DataTypes.DATE(3), allowNull: true },
      queued_at: { type: DataTypes.DATE(3), allowNull: true },
      started_at: { type: DataTypes.DATE(3), allowNull: true },
      finished_at: { type: DataTypes.DATE(3), allowNull: true },
      // The server instance whose watcher follows the run, and until when its lease holds.
      watcher_id: { type: DataTypes.STRING(36), allowNull: true },
      watcher_expires_at: { type: DataTypes.DATE(3), allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  await qi.addIndex('training_tasks', ['owner_id', 'created_at']);
  await qi.addIndex('training_tasks', ['gpu_host_id', 'status', 'queued_at']);
  await qi.addIndex('training_tasks', ['status']);
}

async function createTrainingMetrics(qi: QueryInterface): Promise<void> {
  await qi.createTable(
    'training_metrics',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      task_id: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'training_tasks', key: 'id' },
        onDelete: 'CASCADE',
      },
      step: { type: DataTypes.INTEGER, allowNull: false },
      total_steps: { type: DataTypes.INTEGER, allowNull: true },
      loss: { type: DataTypes.DOUBLE, allowNull: true },
      eval_loss: { type: DataTypes.DOUBLE, allowNull: true },
      learning_rate: { type: DataTypes.DOUBLE, allowNull: true },
      epoch: { type: DataTypes.DOUBLE, allowNull: true },
      throughput: { type: DataTypes.DOUBLE, allowNull: true },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    TABLE_OPTIONS,
  );
  // One row per step: an evaluation record for a step is merged into that step's row.
  await qi.addIndex('training_metrics', ['task_id', 'step'], { unique: true });
}

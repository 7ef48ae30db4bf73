import { QueryTypes, type Sequelize } from 'sequelize';

/** A table whose rows the admin dashboard counts, optionally per value of a state column. */
export interface RecordCountSpec {
  /** The key of the count in the dashboard response. */
  key: string;
  table: string;
  stateColumn?: string;
}

/** A table's row count, and per state the count of rows in it when the spec names a column. */
export interface RecordCount {
  total: number;
  byState?: Record<string, number>;
}

/**
 * The tables the dashboard counts. A table that no migration has created yet is left out of the
 * response, so a feature's table shows up on the dashboard once its migration has run. Names come
 * only from this list, never from a request, because they are written into the SQL.
 */
export const DASHBOARD_RECORD_COUNTS: readonly RecordCountSpec[] = [
  { key: 'chatSessions', table: 'chat_sessions' },
  { key: 'comparisons', table: 'comparisons' },
  { key: 'datasets', table: 'datasets' },
  { key: 'trainingTasks', table: 'training_tasks', stateColumn: 'status' },
];

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Counts the rows of every listed table that exists, keyed by each spec's key. */
export async function countRecords(
  sequelize: Sequelize,
  specs: readonly RecordCountSpec[] = DASHBOARD_RECORD_COUNTS,
): Promise<Record<string, RecordCount>> {
  const queryInterface = sequelize.getQueryInterface();
  const counts: Record<string, RecordCount> = {};
  for (const spec of specs) {
    for (const name of [spec.table, spec.stateColumn ?? 'state']) {
      if (!IDENTIFIER.test(name)) {
        throw new Error(
          `Record count ${spec.key} names the invalid table or column "${name}"; use lowercase ` +
            'letters, digits and underscores.',
        );
      }
    }
    if (await queryInterface.tableExists(spec.table)) {
      counts[spec.key] = await countTable(sequelize, spec);
    }
  }
  return counts;
}

async function countTable(sequelize: Sequelize, spec: RecordCountSpec): Promise<RecordCount> {
  const table = sequelize.getQueryInterface().quoteIdentifier(spec.table);
  if (spec.stateColumn === undefined) {
    const [row] = await sequelize.query<{ total: number | string }>(
      `SELECT COUNT(*) AS total FROM ${table}`,
      { type: QueryTypes.SELECT },
    );
    return { total: Number(row?.total ?? 0) };
  }
  const column = sequelize.getQueryInterface().quoteIdentifier(spec.stateColumn);
  const rows = await sequelize.query<{ state: string | null; total: number | string }>(
    `SELECT ${column} AS state, COUNT(*) AS total FROM ${table} GROUP BY ${column}`,
    { type: QueryTypes.SELECT },
  );
  const byState: Record<string, number> = {};
  let total = 0;
  for (const row of rows) {
    const count = Number(row.total);
    byState[row.state ?? 'none'] = count;
    total += count;
  }
  return { total, byState };
}

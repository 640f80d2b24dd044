import type { ClientConfig } from 'pg';
import type { Logger } from '../../singer/src/log.js';
import type { RunnerConfig } from './config.js';
import { type EmbeddedDatabase, embeddedConnection, startEmbeddedDatabase } from './embedded-database.js';

/** The database a sync writes to, ready: the configured server, or the embedded one started for us. */
export type TargetDatabase = {
  connection: ClientConfig;
  /** The children's environment, pointing target-postgres at this database. */
  childEnv: NodeJS.ProcessEnv;
  /** host:port/database, no password: safe to print. */
  describe: string;
  embedded?: EmbeddedDatabase;
  close: () => Promise<void>;
};

export async function openTargetDatabase(config: RunnerConfig, log: Logger): Promise<TargetDatabase> {
  if (config.database.kind === 'configured') {
    return {
      connection: config.database.connection,
      childEnv: config.childEnv,
      describe: config.database.describe,
      close: async () => {},
    };
  }
  const embedded = await startEmbeddedDatabase({
    dataDir: config.database.dataDir,
    port: config.database.port,
    schema: config.schema,
    log,
  });
  return {
    connection: embeddedConnection(embedded, 'pennylane-sync'),
    childEnv: {
      ...config.childEnv,
      TARGET_POSTGRES_DATABASE_URL: embedded.url,
      TARGET_POSTGRES_SSL_MODE: 'disable',
    },
    describe: `${embedded.host}:${embedded.port}/${embedded.database}`,
    embedded,
    close: () => embedded.stop(),
  };
}

/** What to tell a user the first time: where to point Power BI, and the password, once. */
export function embeddedBanner(db: EmbeddedDatabase, schema: string, showPassword: boolean): string {
  return [
    '',
    'Local PostgreSQL database (for Power BI, Excel, psql…):',
    `  server   ${db.host}:${db.port}`,
    `  database ${db.database}`,
    `  schema   ${schema}`,
    `  user     ${db.user}`,
    showPassword
      ? `  password ${db.password}   ← shown once; kept in ${db.passwordFile} (readable by you only)`
      : `  password in ${db.passwordFile}`,
    '',
  ].join('\n');
}

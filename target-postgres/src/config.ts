import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import { packageVersion } from '../../singer/src/paths.js';
import { type SettingValues, settingValues } from '../../singer/src/setting-values.js';
import { ConfigError, type PluginInfo, type Setting } from '../../singer/src/settings.js';

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const SETTINGS: Setting[] = [
  {
    name: 'database_url',
    kind: 'string',
    sensitive: true,
    description:
      'Connection URL `postgres://user:password@host:port/database`; when set, host/port/user/password/database are ignored.',
  },
  { name: 'host', kind: 'string', default: 'localhost', description: 'Server host name or address.' },
  { name: 'port', kind: 'integer', default: 5432, description: 'Server port.' },
  { name: 'user', kind: 'string', description: 'Role to connect as (default: the OS user, as libpq does).' },
  { name: 'password', kind: 'string', sensitive: true, description: 'Password of that role.' },
  { name: 'database', kind: 'string', description: 'Database name (default: the user name).' },
  {
    name: 'ssl_mode',
    kind: 'options',
    options: [...SSL_MODES],
    default: 'prefer',
    description:
      'libpq sslmode: disable, allow, prefer, require (TLS, certificate not checked), verify-ca (chain checked), verify-full (chain and host name). allow/prefer connect without TLS: node-postgres cannot fall back, so use require to insist on TLS.',
  },
  {
    name: 'ssl_root_cert',
    kind: 'string',
    description: 'Path of the CA certificate (PEM) for verify-ca/verify-full.',
  },
  {
    name: 'ssl_cert',
    kind: 'string',
    description: 'Path of the client certificate (PEM), for certificate login.',
  },
  { name: 'ssl_key', kind: 'string', description: 'Path of the client private key (PEM).' },
  {
    name: 'default_target_schema',
    kind: 'string',
    fallbackEnv: ['MELTANO_EXTRACT__LOAD_SCHEMA'],
    description:
      'Schema the tables are created in (created if missing). Default: MELTANO_EXTRACT__LOAD_SCHEMA, then `public`.',
  },
  {
    name: 'batch_size_rows',
    kind: 'integer',
    default: 100000,
    description: 'A stream is committed when this many records are pending for it.',
  },
  {
    name: 'max_batch_age_seconds',
    kind: 'number',
    default: 60,
    description: 'Everything pending is committed, and the latest state emitted, at least this often.',
  },
  {
    name: 'hard_delete',
    kind: 'boolean',
    default: true,
    description:
      'Records with `_sdc_deleted_at` and rows of older versions (ACTIVATE_VERSION) are deleted; when false they are kept and flagged in `_sdc_deleted_at`.',
  },
  {
    name: 'add_record_metadata',
    kind: 'boolean',
    default: true,
    description:
      'Add the `_sdc_*` metadata columns (extracted/received/batched/deleted at, sequence, table version).',
  },
  {
    name: 'validate_records',
    kind: 'boolean',
    default: true,
    description: 'Check every record against its stream schema (JSON Schema) before loading it.',
  },
  {
    name: 'flattening_enabled',
    kind: 'boolean',
    default: false,
    description:
      'Nested objects with declared properties become `parent__child` columns instead of one jsonb column.',
  },
  {
    name: 'flattening_max_depth',
    kind: 'integer',
    default: 3,
    description: 'How many levels of nesting are flattened; deeper objects stay jsonb.',
  },
  {
    name: 'activate_version',
    kind: 'boolean',
    default: true,
    description:
      'Handle ACTIVATE_VERSION messages (remove or flag rows of older versions of a full-table stream).',
  },
  {
    name: 'max_parallelism',
    kind: 'integer',
    default: 32,
    description:
      'Most connections open at once: a loading stream holds one, two while its previous batch commits; beyond it the least recently used stream commits and gives its connection back.',
  },
];

/** What `--about` prints, what loading reads, what Meltano and the README show. */
export const TARGET_INFO: PluginInfo = {
  name: 'target-postgres',
  description:
    'Singer target for PostgreSQL: streamed COPY, upsert on a real primary key, safe schema evolution, exact numerics, state only after commit.',
  version: packageVersion,
  capabilities: [
    'about',
    'activate-version',
    'hard-delete',
    'soft-delete',
    'schema-flattening',
    'validate-records',
    'target-schema',
    'datatype-failsafe',
  ],
  settings: SETTINGS,
  envPrefix: 'TARGET_POSTGRES_',
};

export type TargetConfig = {
  /** Everything `pg` needs to open a connection (password inside, never logged). */
  connection: ClientConfig;
  schema: string;
  batchSizeRows: number;
  maxBatchAgeSeconds: number;
  hardDelete: boolean;
  addRecordMetadata: boolean;
  validateRecords: boolean;
  flatteningEnabled: boolean;
  flatteningMaxDepth: number;
  activateVersion: boolean;
  maxParallelism: number;
};

const readPem = (name: string, path: string | undefined): string | undefined => {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `setting "${name}": cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err}): give the path of a PEM file`,
    );
  }
};

/** libpq's sslmode semantics expressed as node-postgres `ssl` options. */
function sslOptions(s: SettingValues, mode: SslMode): ClientConfig['ssl'] {
  if (mode === 'disable' || mode === 'allow') return false;
  const ca = readPem('ssl_root_cert', s.optionalString('ssl_root_cert'));
  const cert = readPem('ssl_cert', s.optionalString('ssl_cert'));
  const key = readPem('ssl_key', s.optionalString('ssl_key'));
  const verify = mode === 'verify-ca' || mode === 'verify-full';
  return {
    rejectUnauthorized: verify,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    // verify-ca checks the chain but not the host name, as libpq does.
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

function connection(s: SettingValues): ClientConfig {
  const mode = s.value('ssl_mode');
  if (typeof mode !== 'string' || !(SSL_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(
      `setting "ssl_mode" must be one of ${SSL_MODES.join(', ')}, got ${JSON.stringify(mode)}`,
    );
  }
  const url = s.optionalString('database_url');
  const common: ClientConfig = { application_name: 'target-postgres' };
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new ConfigError('setting "database_url" must start with postgres:// or postgresql://');
    }
    // An sslmode inside the URL wins over ssl_mode, as with libpq; pg parses it from the string.
    const urlHasSsl = /[?&]sslmode=/.test(url);
    return {
      ...common,
      connectionString: url,
      ...(urlHasSsl || mode === 'prefer' ? {} : { ssl: sslOptions(s, mode as SslMode) }),
    };
  }
  const user = s.optionalString('user');
  const password = s.optionalString('password');
  const database = s.optionalString('database');
  return {
    ...common,
    host: s.optionalString('host'),
    port: s.number('port', { integer: true, min: 1 }),
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    ...(database ? { database } : {}),
    // `prefer` cannot be expressed in node-postgres (no fallback to plain text): plain, as most local servers.
    ...(mode === 'prefer' ? {} : { ssl: sslOptions(s, mode as SslMode) }),
  };
}

/** Validates the loaded settings (file + env, see singer/src/settings.ts) into what the engine runs with. */
export function toTargetConfig(raw: Record<string, unknown>): TargetConfig {
  const s = settingValues(TARGET_INFO, raw);
  const schema = s.optionalString('default_target_schema') ?? 'public';
  if (schema.trim() === '') throw new ConfigError('setting "default_target_schema" must not be blank');
  return {
    connection: connection(s),
    schema,
    batchSizeRows: s.number('batch_size_rows', { integer: true, min: 1 }),
    maxBatchAgeSeconds: s.number('max_batch_age_seconds', { integer: false, min: 0.01 }),
    hardDelete: s.boolean('hard_delete'),
    addRecordMetadata: s.boolean('add_record_metadata'),
    validateRecords: s.boolean('validate_records'),
    flatteningEnabled: s.boolean('flattening_enabled'),
    flatteningMaxDepth: s.number('flattening_max_depth', { integer: true, min: 0 }),
    activateVersion: s.boolean('activate_version'),
    maxParallelism: s.number('max_parallelism', { integer: true, min: 1 }),
  };
}

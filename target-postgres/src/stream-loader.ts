import type pg from 'pg';
import { schemaAcceptsByteStrings, textOf } from '../../singer/src/byte-strings.js';
import { stringifyLossless } from '../../singer/src/json-lossless.js';
import type { Logger } from '../../singer/src/log.js';
import type { Place, SchemaMessage } from '../../singer/src/messages.js';
import { type Column, columnsOf, keyColumnsOf } from './columns.js';
import type { ConnectionHolder, ConnectionPool } from './connections.js';
import { type EncodeStats, makeRowEncoder, type RecordMeta, type RowEncoder } from './copy-encoder.js';
import { CopySegment } from './copy-segment.js';
import { syncTable } from './ddl.js';
import { qualified, quoteIdent, toPgName } from './identifiers.js';
import { KeySet } from './key-set.js';
import { columnList, createStageSql, mergeSql, stageCopySql } from './merge-sql.js';
import { classifyPgError, describePgFailure, isPgFailure } from './pg-errors.js';
import type { RecordCheck, RecordValidator } from './validator.js';

export type StreamCounts = { inserted: number; updated: number; deleted: number };

/** An error tied to a place in the input (`source:line` or `source:first-last`). */
export class LoadError extends Error {
  override name = 'LoadError';
}

/**
 * A message the target refuses before anything reaches the database (no SCHEMA yet, a missing key, a
 * record failing its schema): what came before it is intact and can still be committed.
 */
export class InputError extends LoadError {
  override name = 'InputError';
}

export type LoaderContext = {
  schema: string;
  source: string;
  hardDelete: boolean;
  addRecordMetadata: boolean;
  validateRecords: boolean;
  flatteningEnabled: boolean;
  flatteningMaxDepth: number;
  pool: ConnectionPool;
  validator: RecordValidator;
  stats: EncodeStats;
  log: Logger;
  /** Called after each commit with the stream position committed. */
  committed: (stream: string, upTo: number) => void;
};

type Batch = {
  /**
   * direct: COPY into the table itself while every key is new (the table was empty at the start of the
   * batch, or the integer key is above the table's maximum) and unique in the batch; staging: COPY into
   * a temp table + merge; append: no key.
   */
  mode: 'direct' | 'staging' | 'append';
  copy: CopySegment;
  rows: number;
  lastSeq: number;
  firstLine: number;
  lastLine: number;
  seen: KeySet | undefined;
  /** Staging mode: keys staged so far, to skip the DISTINCT ON sort when none repeats. */
  staged: KeySet | undefined;
  stagedRepeats: boolean;
  stagedDeletes: boolean;
  /** Highest key written directly, while every key so far was an integer (else NaN). */
  maxKey: number | undefined;
  /** Direct mode with rows in the table: keys must be integers above this one to be new. */
  above: number | undefined;
  startedAt: number;
  batchedAt: string;
  counts: StreamCounts;
  client: pg.Client;
};

/** Orders stream uses for the pool's least-recently-used choice (cheaper than reading a clock per row). */
let useClock = 0;

/**
 * Loads one stream: records stream straight into `COPY … FROM STDIN` on the stream's own connection,
 * inside a transaction that a flush ends (merge, COMMIT). Memory is one COPY chunk plus, with a key,
 * the keys of the batch while it loads directly into an empty table.
 */
export class StreamLoader implements ConnectionHolder {
  lastUsed = 0;
  versioned = false;
  /** ACTIVATE_VERSION seen before any record of that version: applied later unless records follow. */
  pendingActivation: number | undefined;
  readonly versionsSeen = new Set<number>();
  readonly totals: StreamCounts = { inserted: 0, updated: 0, deleted: 0 };
  check: RecordCheck | undefined;
  /** Records may keep byte strings (singer/src/byte-strings.ts) under the schema in force. */
  acceptsByteStrings = false;

  private schemaText = '';
  private message: SchemaMessage | undefined;
  private table = '';
  private target = '';
  private columns: Column[] = [];
  private keyColumns: string[] = [];
  private keyProperties: string[] = [];
  private encode: RowEncoder | undefined;
  /** The connection the open batch uses; `spare` is the other one, committing the previous batch. */
  private client: pg.Client | undefined;
  private spare: pg.Client | undefined;
  /** Connections holding a staging table of the current layout. */
  private staged = new WeakSet<pg.Client>();
  private batch: Batch | undefined;
  /** The previous batch, committing in the background while the next one loads. */
  private committing: Promise<void> | undefined;
  private commitError: unknown;
  /** What the batch committing in the background may have written (see begin()). */
  private inFlight: { mode: Batch['mode']; maxKey: number | undefined } | undefined;

  constructor(
    readonly stream: string,
    private readonly ctx: LoaderContext,
  ) {
    this.table = toPgName(stream);
    this.target = qualified(ctx.schema, this.table);
  }

  hasConnection(): boolean {
    return this.client !== undefined || this.spare !== undefined;
  }

  get pendingRows(): number {
    return this.batch?.rows ?? 0;
  }

  get batchStartedAt(): number | undefined {
    return this.batch?.startedAt;
  }

  /** Whether this SCHEMA differs from the one in force (a repeated identical SCHEMA changes nothing). */
  changes(message: SchemaMessage): boolean {
    return stringifyLossless([message.schema, message.key_properties]) !== this.schemaText;
  }

  /** Applies a SCHEMA (the caller flushed the stream first): the table is created or evolved now. */
  async applySchema(message: SchemaMessage, place: Place): Promise<void> {
    this.message = message;
    // Deep-safe: a SCHEMA nested thousands deep must reach the check that names the problem.
    this.schemaText = stringifyLossless([message.schema, message.key_properties]);
    this.keyProperties = message.key_properties;
    this.acceptsByteStrings = schemaAcceptsByteStrings(message.schema);
    try {
      // The columns first: a schema too wide for PostgreSQL is named as such before anything compiles.
      const wanted = this.wantedColumns();
      this.check = this.ctx.validateRecords
        ? this.ctx.validator.compile(this.stream, message.schema)
        : undefined;
      await this.syncLayout(wanted);
    } catch (err) {
      if (isPgFailure(err)) throw this.loadFailure(err, undefined, place.line);
      throw new LoadError(`${this.ctx.source}:${place.line}: ${(err as Error).message}`);
    }
  }

  private wantedColumns(): Column[] {
    return columnsOf(this.stream, this.message!.schema, {
      flatteningEnabled: this.ctx.flatteningEnabled,
      flatteningMaxDepth: this.ctx.flatteningMaxDepth,
      addRecordMetadata: this.ctx.addRecordMetadata,
      versioned: this.versioned,
    });
  }

  /** The table has `_sdc_deleted_at`, where a soft delete is recorded. */
  private get canFlag(): boolean {
    return this.columns.some((c) => c.name === '_sdc_deleted_at');
  }

  private async syncLayout(wanted = this.wantedColumns()): Promise<void> {
    this.keyColumns = keyColumnsOf(this.stream, wanted, this.keyProperties);
    const client = await this.connection();
    this.columns = await syncTable(client, {
      schema: this.ctx.schema,
      table: this.table,
      stream: this.stream,
      columns: wanted,
      keyColumns: this.keyColumns,
      log: this.ctx.log,
    });
    this.encode = makeRowEncoder(this.columns);
    this.staged = new WeakSet();
  }

  /** The stream starts using versions: `_sdc_table_version` must exist (committed first by the caller). */
  async useVersions(): Promise<void> {
    if (this.versioned) return;
    this.versioned = true;
    if (!this.columns.some((c) => c.name === '_sdc_table_version')) await this.syncLayout();
  }

  private async connection(): Promise<pg.Client> {
    this.lastUsed = ++useClock;
    if (!this.client) this.client = await this.ctx.pool.acquire(this);
    return this.client;
  }

  /** Commits what is pending and closes the connections (their staging tables go with them). */
  async release(): Promise<void> {
    await this.flush();
    for (const c of [this.client, this.spare]) if (c) await this.ctx.pool.close(c);
    this.client = undefined;
    this.spare = undefined;
    this.staged = new WeakSet();
  }

  /** Drops the connections without committing (after an error): open transactions roll back. */
  abandon(): void {
    for (const c of [this.client, this.spare]) if (c) void this.ctx.pool.close(c);
    this.client = undefined;
    this.spare = undefined;
    this.batch = undefined;
  }

  /**
   * Adds a record to the open batch (opening one if needed). Synchronous unless it must wait: a new
   * batch, the switch to staging, or a COPY stream asking for a drain; then it returns the promise.
   */
  write(
    record: Record<string, unknown>,
    place: Place,
    seq: number,
    meta: RecordMeta,
  ): Promise<void> | undefined {
    const b = this.batch;
    if (!b) return this.begin(place).then(() => this.write(record, place, seq, meta));
    if (b.copy.error) throw this.copyFailure(b, b.copy.error);
    // The key first: a record without one is refused before it touches the batch.
    const key = this.keyColumns.length > 0 ? this.keyOf(record, place, meta.byteStrings) : undefined;
    this.lastUsed = ++useClock;
    b.rows++;
    b.lastSeq = seq;
    b.lastLine = place.line;
    // A delete (hard or soft): in staging the merge decides what it does (merge-sql.ts).
    const deleting = record._sdc_deleted_at !== undefined && record._sdc_deleted_at !== null;
    if (this.keyColumns.length > 0) {
      if (b.mode === 'direct') {
        const fresh = b.above === undefined || (typeof key === 'number' && key > b.above);
        if (!fresh || b.seen!.has(key)) {
          return this.switchToStaging(b).then(
            () => this.append(b, record, place, seq, meta, key, deleting),
            (err: unknown) => {
              throw this.loadFailure(err, b);
            },
          );
        }
        // The key is new: a hard delete has nothing to delete; a soft one is the row, with NULLs for
        // everything the tombstone does not carry (nothing else is known about it), unless the table
        // has no _sdc_deleted_at to flag it with.
        if (deleting && (this.ctx.hardDelete || !this.canFlag)) return;
        if (deleting) {
          b.counts.deleted++;
          b.counts.inserted--; // the COPY's row count includes it
        }
        b.seen!.add(key);
        if (typeof key !== 'number' || !Number.isInteger(key)) b.maxKey = Number.NaN;
        else if (b.maxKey === undefined || key > b.maxKey) b.maxKey = key;
      }
    }
    return this.append(b, record, place, seq, meta, key, deleting);
  }

  private append(
    b: Batch,
    record: Record<string, unknown>,
    place: Place,
    seq: number,
    meta: RecordMeta,
    key: unknown,
    deleting: boolean,
  ): Promise<void> | undefined {
    if (b.mode === 'staging') {
      if (deleting) b.stagedDeletes = true;
      if (!b.stagedRepeats) {
        if (b.staged!.has(key)) {
          b.stagedRepeats = true;
          b.staged = undefined;
        } else b.staged!.add(key);
      }
    }
    meta.batchedAt = b.batchedAt;
    const tail = b.mode !== 'staging' ? '\n' : deleting ? `\t${seq}\tt\n` : `\t${seq}\tf\n`;
    const line = this.encode!(record, meta, this.ctx.stats, tail);
    return b.copy.add(line, place.line, meta.byteStrings)?.catch((err: Error) => {
      throw this.copyFailure(b, err);
    });
  }

  /** The key as a number or string that compares equal for equal keys, whichever way the line was decoded. */
  private keyOf(record: Record<string, unknown>, place: Place, byteStrings: boolean): unknown {
    const props = this.keyProperties;
    let key: unknown;
    if (props.length === 1) {
      const v = record[props[0]!];
      if (v === undefined || v === null) throw this.missingKey(props[0]!, place);
      key = typeof v === 'string' || typeof v === 'number' ? v : stringifyLossless(v);
    } else {
      const values = props.map((k) => {
        const v = record[k];
        if (v === undefined || v === null) throw this.missingKey(k, place);
        return v;
      });
      key = stringifyLossless(values);
    }
    return byteStrings && typeof key === 'string' ? textOf(key) : key;
  }

  private missingKey(prop: string, place: Place): InputError {
    return new InputError(
      `${this.ctx.source}:${place.line}: stream "${this.stream}", field "${prop}": record has no value for key property "${prop}": every record needs all of key_properties ${JSON.stringify(this.keyProperties)}`,
    );
  }

  private async begin(place: Place): Promise<void> {
    if (this.commitError) throw this.commitError;
    try {
      await this.open(place);
    } catch (err) {
      throw this.loadFailure(err, undefined, place.line);
    }
  }

  private async open(place: Place): Promise<void> {
    const client = await this.connection();
    await client.query('BEGIN');
    let mode: Batch['mode'] = 'append';
    let above: number | undefined;
    if (this.keyColumns.length > 0) {
      mode = 'staging';
      // The batch committing in the background is invisible here: its keys are only known when it
      // loaded directly with integer keys (then new keys must be above its highest one too).
      const flight = this.inFlight;
      const knownFlight = !flight || (flight.mode === 'direct' && !Number.isNaN(flight.maxKey ?? 0));
      if (knownFlight) {
        const keyCol = this.columns.find((c) => c.name === this.keyColumns[0]);
        const integerKey =
          this.keyColumns.length === 1 && ['bigint', 'integer', 'smallint'].includes(keyCol?.type ?? '');
        const r = await client.query<{ empty: boolean; max: string | null }>(
          `SELECT NOT EXISTS (SELECT 1 FROM ${this.target}) AS empty, ${integerKey ? `(SELECT max(${quoteIdent(this.keyColumns[0]!)}) FROM ${this.target})::text` : 'NULL'} AS max`,
        );
        const { empty, max } = r.rows[0]!;
        const flightMax = flight?.maxKey;
        if (empty && flightMax === undefined) mode = 'direct';
        else if (empty || (max !== null && Number.isSafeInteger(Number(max)))) {
          const tableMax = empty ? Number.NEGATIVE_INFINITY : Number(max);
          if (integerKey || flightMax === undefined) {
            mode = 'direct';
            above = Math.max(tableMax, flightMax ?? Number.NEGATIVE_INFINITY);
          }
        }
      }
    }
    const now = Date.now();
    this.batch = {
      mode,
      copy: undefined as unknown as CopySegment,
      rows: 0,
      lastSeq: 0,
      firstLine: place.line,
      lastLine: place.line,
      seen: mode === 'direct' ? new KeySet() : undefined,
      staged: mode === 'staging' ? new KeySet() : undefined,
      stagedRepeats: false,
      stagedDeletes: false,
      maxKey: undefined,
      above,
      startedAt: now,
      batchedAt: new Date(now).toISOString(),
      counts: { inserted: 0, updated: 0, deleted: 0 },
      client,
    };
    if (mode === 'staging') await this.ensureStage(client);
    this.startCopy(this.batch);
  }

  private startCopy(b: Batch): void {
    const sql =
      b.mode === 'staging'
        ? stageCopySql(this.columns)
        : `COPY ${this.target} (${columnList(this.columns)}) FROM STDIN`;
    b.copy = new CopySegment(b.client, sql);
  }

  /** Ends the current COPY; resolves with the rows PostgreSQL took. */
  private async endCopy(b: Batch): Promise<number> {
    try {
      return await b.copy.end();
    } catch (err) {
      throw this.copyFailure(b, err as Error);
    }
  }

  private async switchToStaging(b: Batch): Promise<void> {
    b.counts.inserted += await this.endCopy(b);
    b.mode = 'staging';
    b.seen = undefined;
    b.staged = new KeySet();
    b.maxKey = Number.NaN;
    await this.ensureStage(b.client);
    this.startCopy(b);
  }

  private async ensureStage(client: pg.Client): Promise<void> {
    if (this.staged.has(client)) return;
    for (const sql of createStageSql(this.columns)) await client.query(sql);
    this.staged.add(client);
  }

  /** Waits for the batch committing in the background; rethrows its failure. */
  private async settle(): Promise<void> {
    if (this.committing) await this.committing;
    if (this.commitError) throw this.commitError;
  }

  /**
   * batch_size_rows reached: the batch commits on its connection in the background while the next one
   * starts loading on the other connection, so PostgreSQL never waits for the next records.
   */
  async rotate(): Promise<void> {
    const b = this.batch;
    if (!b) return;
    await this.settle();
    this.batch = undefined;
    this.inFlight = { mode: b.mode, maxKey: b.maxKey };
    this.client = this.spare;
    this.spare = b.client;
    this.committing = this.commit(b).then(
      () => {
        this.inFlight = undefined;
        this.committing = undefined;
      },
      (err: unknown) => {
        this.commitError = err;
        this.committing = undefined;
      },
    );
  }

  /** Ends the COPY, merges, commits; returns once everything received is committed. */
  async flush(): Promise<void> {
    await this.settle();
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    await this.commit(b);
  }

  private async commit(b: Batch): Promise<void> {
    const client = b.client;
    const started = performance.now();
    try {
      const copied = await this.endCopy(b);
      if (b.mode === 'staging') {
        const r = await client.query<{ deleted: number; flagged: number; inserted: number; updated: number }>(
          mergeSql({
            target: this.target,
            columns: this.columns,
            keyColumns: this.keyColumns,
            repeats: b.stagedRepeats,
            deletes: b.stagedDeletes,
            hardDelete: this.ctx.hardDelete,
          }),
        );
        const m = r.rows[0]!;
        b.counts.inserted += m.inserted;
        b.counts.updated += m.updated;
        b.counts.deleted += m.deleted + m.flagged;
      } else {
        b.counts.inserted += copied;
      }
      await client.query('COMMIT');
    } catch (err) {
      throw this.loadFailure(err, b);
    }
    this.totals.inserted += b.counts.inserted;
    this.totals.updated += b.counts.updated;
    this.totals.deleted += b.counts.deleted;
    this.ctx.committed(this.stream, b.lastSeq);
    const seconds = (Date.now() - b.startedAt) / 1000;
    const flushSeconds = (performance.now() - started) / 1000;
    this.ctx.log.info(
      `stream "${this.stream}": committed ${b.rows} records (inserted ${b.counts.inserted}, updated ${b.counts.updated}, deleted ${b.counts.deleted}) in ${seconds.toFixed(2)} s (${Math.round(b.rows / Math.max(seconds, 0.001))} rows/s, commit ${flushSeconds.toFixed(2)} s, rss ${Math.round(process.memoryUsage.rss() / 1048576)} MB, heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB)`,
    );
  }

  /**
   * ACTIVATE_VERSION v, after the stream's earlier records are committed: rows of older versions (or
   * none) are deleted, or flagged with `_sdc_deleted_at` when hard_delete is off.
   */
  async activateVersion(version: number): Promise<void> {
    await this.flush();
    await this.useVersions();
    const client = await this.connection();
    const older = `("_sdc_table_version" IS NULL OR "_sdc_table_version" < ${Math.trunc(version)})`;
    let n: number;
    if (this.ctx.hardDelete) {
      n = (await client.query(`DELETE FROM ${this.target} WHERE ${older}`)).rowCount ?? 0;
    } else {
      await client.query(`ALTER TABLE ${this.target} ADD COLUMN IF NOT EXISTS "_sdc_deleted_at" timestamptz`);
      n =
        (
          await client.query(
            `UPDATE ${this.target} SET "_sdc_deleted_at" = now() WHERE ${older} AND "_sdc_deleted_at" IS NULL`,
          )
        ).rowCount ?? 0;
    }
    this.totals.deleted += n;
    this.ctx.log.info(
      `stream "${this.stream}": ACTIVATE_VERSION ${version}: ${this.ctx.hardDelete ? 'deleted' : 'flagged'} ${n} rows of older versions`,
    );
  }

  /** Names the input line (and column) of a value PostgreSQL refused during COPY. */
  private copyFailure(b: Batch, err: Error): LoadError {
    if (err instanceof LoadError) return err;
    const { line, column } = b.copy.placeOf(err);
    return this.loadFailure(err, b, line, column);
  }

  /**
   * The one error line for a failure while loading: a value or a limit is blamed on the input line and
   * field PostgreSQL named; anything else (a lost connection, a table changed by another session) on
   * the database, over the lines of the batch it rolled back (pg-errors.ts).
   */
  private loadFailure(err: unknown, b: Batch | undefined, line?: number, column?: string): LoadError {
    if (err instanceof LoadError) return err;
    const f = classifyPgError(err);
    const blamesInput = f.fault === 'value' || f.fault === 'limit';
    const lines = b && !(blamesInput && line !== undefined) ? `${b.firstLine}-${b.lastLine}` : `${line}`;
    const col = column ? this.columns.find((c) => c.name === column) : undefined;
    return new LoadError(
      describePgFailure(f, {
        at: `${this.ctx.source}:${lines}`,
        stream: this.stream,
        field: blamesInput ? (col?.path.join('.') ?? column) : undefined,
        table: this.target,
      }),
    );
  }
}

import { withText } from '../../singer/src/byte-strings.js';
import type { Logger } from '../../singer/src/log.js';
import {
  type ActivateVersionMessage,
  type Place,
  ProtocolError,
  type RecordMessage,
  type SchemaMessage,
} from '../../singer/src/messages.js';
import type { PlacedMessage } from '../../singer/src/reader.js';
import type { TargetConfig } from './config.js';
import { ConnectionPool } from './connections.js';
import type { EncodeStats, RecordMeta } from './copy-encoder.js';
import { ensureSchema } from './ddl.js';
import { qualified, toPgName } from './identifiers.js';
import { classifyPgError, describePgFailure, isPgFailure } from './pg-errors.js';
import { StateTracker } from './state-tracker.js';
import { InputError, LoadError, type StreamCounts, StreamLoader } from './stream-loader.js';
import { RecordValidationError, RecordValidator } from './validator.js';

const isArray = Array.isArray as (v: unknown) => v is readonly PlacedMessage[];

/** A STATE commits at most this often; states arriving faster wait for the next commit. */
const STATE_COMMIT_INTERVAL_MS = 1000;

export type TargetSummary = { streams: Record<string, StreamCounts>; seconds: number; nulRemoved: number };

export type RunTargetOptions = {
  config: TargetConfig;
  /**
   * The messages, one by one or in arrays (readSingerMessageChunks): the messages of an array are
   * handled in a synchronous loop that only waits when PostgreSQL or a commit makes it.
   */
  messages: AsyncIterable<PlacedMessage | readonly PlacedMessage[]>;
  /** Prints one state value (stdout in the Singer CLI); called only once everything before it is committed. */
  emitState: (value: unknown) => Promise<void>;
  log: Logger;
};

/** Loads a Singer message stream into PostgreSQL (see docs/manual/target-postgres.md for the semantics). */
export async function runTarget(opts: RunTargetOptions): Promise<TargetSummary> {
  const engine = new Engine(opts);
  try {
    await engine.start();
    await engine.consume(opts.messages);
    await engine.finish();
    return engine.summary();
  } catch (thrown) {
    const err = engine.described(thrown);
    if (err instanceof ProtocolError || err instanceof InputError) await engine.salvage();
    else engine.abandon();
    throw err;
  } finally {
    engine.stopTimer();
  }
}

class Engine {
  private readonly config: TargetConfig;
  private readonly log: Logger;
  private readonly emitState: (value: unknown) => Promise<void>;
  private readonly loaders = new Map<string, StreamLoader>();
  private readonly tracker = new StateTracker();
  private readonly validator = new RecordValidator();
  private readonly stats: EncodeStats = { nulRemoved: 0 };
  private readonly pool: ConnectionPool;
  private readonly started = Date.now();
  private readonly sequenceBase = Date.now() * 1000;
  private sequence = 0;
  private source = 'stdin';
  /** The message being handled: the place named by a database failure that no stream loader placed. */
  private current: PlacedMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private handling = false;
  private background: Promise<void> | undefined;
  private backgroundError: unknown;
  private ageDue = false;
  private lastFlushAll = Date.now();
  private receivedAtMs = 0;
  private emitting: Promise<void> = Promise.resolve();
  private lastStateCommit = 0;
  private stateWaitingSince: number | undefined;
  private readonly meta: RecordMeta = {
    extractedAt: undefined,
    receivedAt: '',
    batchedAt: '',
    sequence: 0,
    version: undefined,
    lossless: false,
    escapeFree: false,
    byteStrings: false,
  };
  private emitError: unknown;
  private receivedAt = '';

  constructor(opts: RunTargetOptions) {
    this.config = opts.config;
    this.log = opts.log;
    this.emitState = opts.emitState;
    this.pool = new ConnectionPool(opts.config.connection, opts.config.maxParallelism, () =>
      this.loaders.values(),
    );
  }

  async start(): Promise<void> {
    let client: Awaited<ReturnType<ConnectionPool['connect']>>;
    try {
      client = await this.pool.connect();
    } catch (err) {
      const c = this.config.connection;
      const where = c.connectionString
        ? 'the server of database_url'
        : `${c.host ?? 'localhost'}:${c.port ?? 5432}`;
      throw new LoadError(
        `cannot connect to PostgreSQL at ${where} (${(err as Error).message}): check database_url or host/port/user/password/database and ssl_mode`,
      );
    }
    try {
      await ensureSchema(client, this.config.schema);
    } finally {
      await client.end();
    }
    const periodMs = Math.max(10, Math.min(250, this.config.maxBatchAgeSeconds * 250));
    this.timer = setInterval(() => this.tick(), periodMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** max_batch_age_seconds: while input is idle the timer commits itself; during a message, it asks the loop to. */
  private tick(): void {
    const now = Date.now();
    const stateDue =
      this.stateWaitingSince !== undefined && now - this.stateWaitingSince >= STATE_COMMIT_INTERVAL_MS;
    if (!stateDue && now - this.lastFlushAll < this.config.maxBatchAgeSeconds * 1000) return;
    if (this.handling || this.background) {
      this.ageDue = true;
      return;
    }
    if (this.tracker.uncommittedStreams().length === 0 && !this.tracker.pending) {
      this.lastFlushAll = Date.now();
      return;
    }
    this.background = this.flushAll('max_batch_age_seconds')
      .catch((err) => {
        this.backgroundError = err;
      })
      .finally(() => {
        this.background = undefined;
      });
  }

  async consume(messages: AsyncIterable<PlacedMessage | readonly PlacedMessage[]>): Promise<void> {
    for await (const item of messages) {
      if (!isArray(item)) {
        await this.handle(item);
        continue;
      }
      // Most records are handled without a promise: only a full COPY buffer, a commit or DDL waits.
      for (const pm of item) {
        const waiting = this.handle(pm);
        if (waiting) await waiting;
      }
    }
    if (this.background) await this.background;
    if (this.backgroundError) throw this.backgroundError;
  }

  /** Handles one message; returns a promise only when it has to wait. */
  private handle(pm: PlacedMessage): Promise<void> | undefined {
    if (this.background) return this.background.then(() => this.handle(pm));
    if (this.backgroundError) throw this.backgroundError;
    this.handling = true;
    this.current = pm;
    this.source = pm.place.source;
    const m = pm.message;
    let waiting: Promise<void> | undefined;
    switch (m.type) {
      case 'RECORD':
        waiting = this.onRecord(m, pm);
        break;
      case 'SCHEMA':
        waiting = this.onSchema(m, pm.place);
        break;
      case 'STATE':
        waiting = this.onState(m.value);
        break;
      case 'ACTIVATE_VERSION':
        waiting = this.onActivateVersion(m, pm.place);
        break;
    }
    return waiting ? waiting.then(() => this.handled()) : this.handled();
  }

  private handled(): Promise<void> | undefined {
    if (this.ageDue) {
      this.ageDue = false;
      return this.flushAll('max_batch_age_seconds').then(() => {
        this.handling = false;
      });
    }
    this.handling = false;
    return undefined;
  }

  private loaderContext() {
    return {
      schema: this.config.schema,
      source: this.source,
      hardDelete: this.config.hardDelete,
      addRecordMetadata: this.config.addRecordMetadata,
      validateRecords: this.config.validateRecords,
      flatteningEnabled: this.config.flatteningEnabled,
      flatteningMaxDepth: this.config.flatteningMaxDepth,
      pool: this.pool,
      validator: this.validator,
      stats: this.stats,
      log: this.log,
      committed: (stream: string, upTo: number) => {
        this.tracker.committedUpTo(stream, upTo);
        // A background commit may release a state: print it now, in order with the others.
        if (this.tracker.pending) void this.emitReady().catch(() => {});
      },
    };
  }

  private async onSchema(m: SchemaMessage, place: Place): Promise<void> {
    let loader = this.loaders.get(m.stream);
    if (!loader) {
      loader = new StreamLoader(m.stream, this.loaderContext());
      this.loaders.set(m.stream, loader);
    } else if (!loader.changes(m)) {
      return;
    } else {
      await loader.flush();
      await this.emitReady();
    }
    await loader.applySchema(m, place);
  }

  private now(): string {
    const ms = Date.now();
    if (ms !== this.receivedAtMs) {
      this.receivedAtMs = ms;
      this.receivedAt = new Date(ms).toISOString();
    }
    return this.receivedAt;
  }

  /** Returns a promise only when the record has to wait (new batch, full COPY buffer, new version, rotation). */
  private onRecord(m: RecordMessage, pm: PlacedMessage): Promise<void> | undefined {
    const { place } = pm;
    const lossless = pm.lossless === true;
    const loader = this.loaders.get(m.stream);
    if (!loader) {
      throw new InputError(
        `${place.source}:${place.line}: RECORD of stream "${m.stream}" arrived before its SCHEMA: the tap must send a SCHEMA message for a stream before its records`,
      );
    }
    if (m.version !== undefined) {
      if (!loader.versioned) {
        return loader
          .flush()
          .then(() => loader.useVersions())
          .then(() => this.onRecord(m, pm));
      }
      loader.versionsSeen.add(m.version);
      if (loader.pendingActivation === m.version) loader.pendingActivation = undefined;
    }
    let byteStrings = pm.byteStrings === true;
    if (byteStrings && !loader.acceptsByteStrings) {
      m.record = withText(m.record) as Record<string, unknown>;
      byteStrings = false;
    }
    if (loader.check) this.check(loader, m.record, place, lossless, byteStrings);
    const seq = this.tracker.recordReceived(m.stream);
    // One object reused for every record (one record is in flight at a time): less garbage per row.
    const meta = this.meta;
    meta.extractedAt = m.time_extracted;
    meta.receivedAt = this.now();
    meta.sequence = this.sequenceBase + ++this.sequence;
    meta.version = m.version;
    meta.lossless = lossless;
    meta.escapeFree = pm.escapeFree === true;
    meta.byteStrings = byteStrings;
    const writing = loader.write(m.record, place, seq, meta);
    if (writing) return writing.then(() => this.rotateIfFull(loader));
    return this.rotateIfFull(loader);
  }

  private check(
    loader: StreamLoader,
    record: Record<string, unknown>,
    place: Place,
    lossless: boolean,
    byteStrings: boolean,
  ): void {
    try {
      loader.check!(record, lossless);
    } catch (err) {
      if (!(err instanceof RecordValidationError)) throw err;
      // The message quotes the value: with byte strings, the same verdict on the text gives the right quote.
      if (byteStrings)
        this.check(loader, withText(record) as Record<string, unknown>, place, lossless, false);
      throw new InputError(`${place.source}:${place.line}: ${err.message}`);
    }
  }

  private rotateIfFull(loader: StreamLoader): Promise<void> | undefined {
    return loader.pendingRows >= this.config.batchSizeRows ? loader.rotate() : undefined;
  }

  /**
   * Every stream with uncommitted records starts committing (in the background, on its own connection,
   * while input goes on); the state is printed when the last of those commits is done. A tap that sends
   * states faster than one per STATE_COMMIT_INTERVAL_MS gets them committed (and printed) at that pace:
   * the later ones wait for the next commit, at most that long.
   */
  private async onState(value: unknown): Promise<void> {
    this.tracker.stateReceived(value);
    await this.applyPendingActivations();
    if (this.tracker.pending) {
      const now = Date.now();
      if (now - this.lastStateCommit >= STATE_COMMIT_INTERVAL_MS) {
        this.lastStateCommit = now;
        this.stateWaitingSince = undefined;
        await Promise.all(this.tracker.uncommittedStreams().map((s) => this.loaders.get(s)?.rotate()));
      } else {
        this.stateWaitingSince ??= now;
      }
    }
    await this.emitReady();
  }

  private async onActivateVersion(m: ActivateVersionMessage, place: Place): Promise<void> {
    if (!this.config.activateVersion) {
      this.log.debug(`stream "${m.stream}": ACTIVATE_VERSION ignored (activate_version is off)`);
      return;
    }
    const loader = this.loaders.get(m.stream);
    if (!loader) {
      throw new InputError(
        `${place.source}:${place.line}: ACTIVATE_VERSION of stream "${m.stream}" arrived before its SCHEMA: the tap must send a SCHEMA message for a stream first`,
      );
    }
    if (loader.versionsSeen.has(m.version) || loader.pendingActivation === m.version) {
      loader.pendingActivation = undefined;
      await loader.activateVersion(m.version);
      await this.emitReady();
      return;
    }
    // Before any record of its version: either an opening announcement (taps modelled on tap-postgres
    // send one on what they think is a first sync) or the end of a listing that found nothing. Deleting
    // now would empty the table while it reloads, and for good if the tap then fails. It waits: records
    // of this version make it an announcement (their own ACTIVATE_VERSION will follow), the same
    // ACTIVATE_VERSION again or a later STATE confirm an empty listing. End of input confirms nothing.
    if (loader.pendingActivation !== undefined)
      this.dropPendingActivation(loader, 'a newer version was announced');
    await loader.flush();
    await loader.useVersions();
    loader.pendingActivation = m.version;
  }

  private dropPendingActivation(loader: StreamLoader, why: string): void {
    this.log.warn(
      `stream "${loader.stream}": ACTIVATE_VERSION ${loader.pendingActivation} came before any record of its version and was never confirmed (${why}): rows of older versions are kept; the next complete listing replaces them`,
    );
    loader.pendingActivation = undefined;
  }

  private async applyPendingActivations(): Promise<void> {
    for (const loader of this.loaders.values()) {
      if (loader.pendingActivation === undefined) continue;
      const v = loader.pendingActivation;
      loader.pendingActivation = undefined;
      await loader.activateVersion(v);
    }
  }

  private async flushStreams(streams: string[]): Promise<void> {
    await Promise.all(streams.map((s) => this.loaders.get(s)?.flush()));
  }

  private async flushAll(reason: string): Promise<void> {
    const streams = this.tracker.uncommittedStreams();
    if (streams.length > 0) this.log.debug(`committing ${streams.length} stream(s): ${reason}`);
    this.stateWaitingSince = undefined;
    await this.flushStreams(streams);
    this.lastFlushAll = Date.now();
    await this.emitReady();
  }

  /** Prints the states that became safe, strictly in order even when commits end concurrently. */
  private emitReady(): Promise<void> {
    this.emitting = this.emitting.then(async () => {
      if (this.emitError) throw this.emitError;
      try {
        for (const value of this.tracker.takeReady()) await this.emitState(value);
      } catch (err) {
        // Not the database's failure: the reader of stdout (orchestrator, pipe) went away.
        this.emitError = new LoadError(
          `cannot print a STATE on stdout (${(err as Error).message}): the program reading the target's output stopped; the data is committed, re-run from the last STATE it received`,
        );
        throw this.emitError;
      }
    });
    return this.emitting;
  }

  async finish(): Promise<void> {
    // The end of input may be a tap that died: it proves no listing complete.
    for (const loader of this.loaders.values())
      if (loader.pendingActivation !== undefined) this.dropPendingActivation(loader, 'the input ended');
    await this.flushAll('end of input');
    await Promise.all([...this.loaders.values()].map((l) => l.release()));
    if (this.stats.nulRemoved > 0) {
      this.log.warn(`removed ${this.stats.nulRemoved} NUL character(s) that PostgreSQL text cannot hold`);
    }
  }

  /**
   * After a bad message: commit what arrived before it, so the states it covers are printed and a
   * replay starts after them. If that fails too, nothing more is committed.
   */
  async salvage(): Promise<void> {
    try {
      if (this.background) await this.background;
      if (this.backgroundError) throw this.backgroundError;
      await this.flushAll('input error');
      await this.emitting;
    } catch {
      this.abandon();
    }
  }

  /**
   * A failure of PostgreSQL that no stream loader turned into its line (DDL for versions, ACTIVATE_VERSION,
   * a connection lost between batches) gets one here, at the message being handled.
   */
  described(err: unknown): unknown {
    if (err instanceof LoadError || err instanceof ProtocolError || !isPgFailure(err)) return err;
    const pm = this.current;
    const stream = pm && 'stream' in pm.message ? pm.message.stream : undefined;
    return new LoadError(
      describePgFailure(classifyPgError(err), {
        at: pm ? `${pm.place.source}:${pm.place.line}` : `${this.source}: end of input`,
        stream,
        table: stream === undefined ? undefined : qualified(this.config.schema, toPgName(stream)),
      }),
    );
  }

  abandon(): void {
    for (const l of this.loaders.values()) l.abandon();
  }

  summary(): TargetSummary {
    const streams: Record<string, StreamCounts> = {};
    for (const [name, l] of this.loaders) streams[name] = { ...l.totals };
    return {
      streams,
      seconds: Math.round((Date.now() - this.started) / 10) / 100,
      nulRemoved: this.stats.nulRemoved,
    };
  }
}

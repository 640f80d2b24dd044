import { LIST_RESOURCES } from '../../../pennylane/src/api.js';
import type { JsonSchema, SingerMessage } from '../../../singer/src/messages.js';
import type { SelectedStream } from '../catalog/select.js';
import type { StateStore } from './state.js';

let lastMs = 0;
let lastIso = '';
/** `time_extracted` (the target's `_sdc_extracted_at`): records are emitted as their page arrives. */
function extractedNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export type Emit = (message: SingerMessage) => Promise<void>;

export type StreamCounts = { records: number; deleted: number };

/**
 * The one way out for every stream. Streams run concurrently, but each message goes through `emit` as a
 * whole (one line), and a STATE is added every `stateEvery` records so a target can commit long runs in
 * slices; that STATE only carries bookmarks whose records were emitted before it.
 */
export class Output {
  private sinceState = 0;
  /** The previous message's write: one at a time, so a full pipe has one waiter, not one per stream. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly emit: Emit,
    private readonly state: StateStore,
    private readonly stateEvery = 10_000,
  ) {}

  async send(message: SingerMessage): Promise<void> {
    await this.write(message);
    if (message.type === 'RECORD' && ++this.sinceState >= this.stateEvery) await this.emitState();
  }

  async emitState(): Promise<void> {
    this.sinceState = 0;
    // The snapshot is taken now: it holds only bookmarks set after their records were queued before it.
    await this.write({ type: 'STATE', value: this.state.snapshot() });
  }

  private write(message: SingerMessage): Promise<void> {
    const next = this.tail.then(() => this.emit(message));
    this.tail = next;
    return next;
  }
}

const DELETED_AT: JsonSchema = { type: ['string', 'null'], format: 'date-time' };

/** One stream's messages: its SCHEMA first, then projected records, tombstones and ACTIVATE_VERSIONs. */
export class StreamWriter {
  readonly counts: StreamCounts = { records: 0, deleted: 0 };
  private schemaSent = false;

  constructor(
    private readonly out: Output,
    readonly selected: SelectedStream,
    /** Whether this stream can emit deletes (then `_sdc_deleted_at` is in its SCHEMA). */
    private readonly deletes: boolean,
  ) {}

  get name(): string {
    return this.selected.definition.name;
  }

  async schema(): Promise<void> {
    if (this.schemaSent) return;
    this.schemaSent = true;
    const schema = this.selected.schema;
    const withDeletes =
      this.deletes && !schema.properties?._sdc_deleted_at
        ? { ...schema, properties: { ...schema.properties, _sdc_deleted_at: DELETED_AT } }
        : schema;
    await this.out.send({
      type: 'SCHEMA',
      stream: this.name,
      schema: withDeletes,
      key_properties: this.selected.definition.key,
    });
  }

  async record(raw: Record<string, unknown>, version?: number): Promise<void> {
    for (const k of this.selected.definition.key) {
      if (raw[k] === undefined || raw[k] === null) throw this.keyless(raw, k);
    }
    this.counts.records++;
    const message: SingerMessage = {
      type: 'RECORD',
      stream: this.name,
      record: this.selected.project(raw),
      time_extracted: extractedNow(),
    };
    if (version !== undefined) message.version = version;
    await this.out.send(message);
  }

  /** A delete: the key fields and `_sdc_deleted_at`, nothing else (the row is gone upstream). */
  async tombstone(key: Record<string, unknown>, deletedAt: string): Promise<void> {
    this.counts.records++;
    this.counts.deleted++;
    await this.out.send({
      type: 'RECORD',
      stream: this.name,
      record: { ...key, _sdc_deleted_at: deletedAt },
      time_extracted: extractedNow(),
    });
  }

  /**
   * A record without its key cannot be upserted; the target would refuse it with a message about its
   * own input. Said here, the API is named as the party at fault. The record's values are not quoted
   * (customers' names, amounts): only its field names.
   */
  private keyless(raw: Record<string, unknown>, field: string): Error {
    const def = this.selected.definition;
    const where =
      'resource' in def ? `GET ${LIST_RESOURCES[def.resource].path} (stream ${def.name})` : def.name;
    const fields = Object.keys(raw).slice(0, 8).join(', ');
    return new Error(
      `${def.name}: ${where}: a record has no "${field}" (the stream's key; its fields: ${fields || 'none'}) — the API answered with an unexpected shape; rerun later, and report it to Pennylane if it persists`,
    );
  }

  async activateVersion(version: number): Promise<void> {
    await this.out.send({ type: 'ACTIVATE_VERSION', stream: this.name, version });
  }
}

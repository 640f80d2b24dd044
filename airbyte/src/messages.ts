/**
 * The Airbyte protocol (v0, see test/fixtures/airbyte/airbyte_protocol.yaml) as a discriminated union on
 * `type`, limited to the fields this project reads or writes. Both the source (tap-pennylane) and the
 * destination (target-postgres) speak it; the builders below keep every message well-formed.
 */
import type { JsonSchema } from '../../singer/src/messages.js';

export type StreamDescriptor = { name: string; namespace?: string };
export type SyncMode = 'full_refresh' | 'incremental';
export type DestinationSyncMode = 'append' | 'overwrite' | 'append_dedup' | 'update' | 'soft_delete';

export type AirbyteRecord = {
  stream: string;
  namespace?: string;
  data: Record<string, unknown>;
  /** Epoch milliseconds. */
  emitted_at: number;
};

export type AirbyteStreamState = {
  stream_descriptor: StreamDescriptor;
  stream_state?: Record<string, unknown>;
};
export type AirbyteStateStats = { recordCount?: number; rejectedRecordCount?: number };
export type AirbyteState = {
  /** Missing means LEGACY. */
  type?: 'STREAM' | 'GLOBAL' | 'LEGACY';
  stream?: AirbyteStreamState;
  global?: { shared_state?: Record<string, unknown>; stream_states: AirbyteStreamState[] };
  data?: Record<string, unknown>;
  sourceStats?: AirbyteStateStats;
  destinationStats?: AirbyteStateStats;
};

export type LogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';
export type FailureType = 'system_error' | 'config_error' | 'transient_error';
export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export type AirbyteTrace =
  | {
      type: 'ERROR';
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        failure_type: FailureType;
        stream_descriptor?: StreamDescriptor;
      };
    }
  | {
      type: 'STREAM_STATUS';
      emitted_at: number;
      stream_status: { stream_descriptor: StreamDescriptor; status: StreamStatus };
    }
  | { type: 'ESTIMATE' | 'ANALYTICS'; emitted_at: number; [key: string]: unknown };

export type ConnectorSpecification = {
  documentationUrl?: string;
  changelogUrl?: string;
  connectionSpecification: JsonSchema;
  protocol_version?: string;
  supportsIncremental?: boolean;
  supported_destination_sync_modes?: DestinationSyncMode[];
};

export type AirbyteStream = {
  name: string;
  namespace?: string;
  json_schema: JsonSchema;
  supported_sync_modes: SyncMode[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  is_resumable?: boolean;
};

export type AirbyteCatalog = { streams: AirbyteStream[] };

export type ConfiguredAirbyteStream = {
  stream: AirbyteStream;
  sync_mode: SyncMode;
  destination_sync_mode: DestinationSyncMode;
  cursor_field?: string[];
  primary_key?: string[][];
  generation_id?: number;
  minimum_generation_id?: number;
  sync_id?: number;
};

export type ConfiguredAirbyteCatalog = { streams: ConfiguredAirbyteStream[] };

export type AirbyteMessage =
  | { type: 'RECORD'; record: AirbyteRecord }
  | { type: 'STATE'; state: AirbyteState }
  | { type: 'LOG'; log: { level: LogLevel; message: string; stack_trace?: string } }
  | { type: 'SPEC'; spec: ConnectorSpecification }
  | { type: 'CONNECTION_STATUS'; connectionStatus: { status: 'SUCCEEDED' | 'FAILED'; message?: string } }
  | { type: 'CATALOG'; catalog: AirbyteCatalog }
  | { type: 'TRACE'; trace: AirbyteTrace }
  | { type: 'CONTROL'; control: Record<string, unknown> };

export type AirbyteMessageType = AirbyteMessage['type'];

/** The protocol version our messages follow (the vendored airbyte_protocol.yaml). */
export const PROTOCOL_VERSION = '0.2.0';

export const recordMessage = (
  stream: string,
  data: Record<string, unknown>,
  emittedAt: number,
): AirbyteMessage => ({
  type: 'RECORD',
  record: { stream, data, emitted_at: emittedAt },
});

export const streamStateMessage = (name: string, streamState: Record<string, unknown>): AirbyteMessage => ({
  type: 'STATE',
  state: { type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: streamState } },
});

export const streamStatusMessage = (
  name: string,
  status: StreamStatus,
  now = Date.now(),
): AirbyteMessage => ({
  type: 'TRACE',
  trace: { type: 'STREAM_STATUS', emitted_at: now, stream_status: { stream_descriptor: { name }, status } },
});

export function errorTraceMessage(
  message: string,
  failureType: FailureType,
  opts: { stream?: string; internal?: string; now?: number } = {},
): AirbyteMessage {
  return {
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: opts.now ?? Date.now(),
      error: {
        message,
        failure_type: failureType,
        ...(opts.internal ? { internal_message: opts.internal } : {}),
        ...(opts.stream ? { stream_descriptor: { name: opts.stream } } : {}),
      },
    },
  };
}

export const connectionStatusMessage = (ok: boolean, message?: string): AirbyteMessage => ({
  type: 'CONNECTION_STATUS',
  connectionStatus: { status: ok ? 'SUCCEEDED' : 'FAILED', ...(message ? { message } : {}) },
});

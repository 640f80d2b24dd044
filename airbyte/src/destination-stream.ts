import { mayLoseNumbers, parseJsonLossless } from '../../singer/src/json-lossless.js';
import type { Logger } from '../../singer/src/log.js';
import type { Line, PlacedMessage } from '../../singer/src/reader.js';
import { planStream, recordFromAirbyte, type StreamPlan, schemaMessage } from './destination-mapping.js';
import type { ConfiguredAirbyteCatalog } from './messages.js';

/**
 * The value a Singer STATE carries through the target's engine for one Airbyte STATE: the original line
 * (printed as it came once everything before it is committed) and a sequence number, so two identical
 * Airbyte states are still two checkpoints.
 */
export type CarriedState = { seq: number; line: string };

export const isCarriedState = (v: unknown): v is CarriedState =>
  typeof v === 'object' && v !== null && typeof (v as CarriedState).line === 'string';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export type AirbyteToSingerOptions = {
  /** Names the input in errors and logs (`stdin`). */
  source: string;
  log: Logger;
  /** Table version of this sync for the streams it replaces (default: now in ms, which only grows). */
  version?: number;
};

/**
 * Airbyte messages (NDJSON lines of `write`'s stdin) as the Singer messages the target's engine loads:
 * one SCHEMA per configured stream first, then RECORDs, STATEs (carried, see CarriedState) and, for
 * streams this sync replaces (overwrite, or a truncating refresh), an ACTIVATE_VERSION once the stream
 * is complete: its TRACE STREAM_STATUS COMPLETE; the end of input stands for it only when the input carries
 * no stream status at all (a platform too old to send them), since a source that failed also ends it. Lines that are not Airbyte messages are skipped, as the protocol asks; a line that is not
 * JSON is skipped with a warning naming it.
 */
export async function* airbyteToSinger(
  lines: AsyncIterable<Line>,
  catalog: ConfiguredAirbyteCatalog,
  opts: AirbyteToSingerOptions,
): AsyncGenerator<PlacedMessage> {
  const version = opts.version ?? Date.now();
  const plans = new Map<string, StreamPlan>();
  for (const configured of catalog.streams) {
    const plan = planStream(configured, version);
    plans.set(plan.stream, plan);
    yield { message: schemaMessage(configured, plan), place: { source: 'catalog', line: 0 } };
  }
  const activated = new Set<string>();
  const incomplete = new Set<string>();
  let statuses = false;
  const unknown = new Set<string>();
  let seq = 0;
  const activate = (plan: StreamPlan, line: number): PlacedMessage => {
    activated.add(plan.stream);
    return {
      message: { type: 'ACTIVATE_VERSION', stream: plan.stream, version: plan.version! },
      place: { source: opts.source, line },
    };
  };

  for await (const { text, line } of lines) {
    const place = { source: opts.source, line };
    let value: unknown;
    let lossless = false;
    try {
      value = JSON.parse(text);
      if (mayLoseNumbers(text)) {
        value = parseJsonLossless(text);
        lossless = true;
      }
    } catch (err) {
      opts.log.warn(`${opts.source}:${line}: skipped a line that is not JSON (${(err as Error).message})`);
      continue;
    }
    if (!isObject(value) || typeof value.type !== 'string') {
      opts.log.debug(`${opts.source}:${line}: skipped a line that is not an Airbyte message`);
      continue;
    }
    switch (value.type) {
      case 'RECORD': {
        const r = value.record;
        if (!isObject(r) || typeof r.stream !== 'string' || !isObject(r.data)) {
          opts.log.warn(`${opts.source}:${line}: skipped a RECORD without "stream" and a "data" object`);
          break;
        }
        const plan = plans.get(r.stream);
        if (!plan) {
          if (!unknown.has(r.stream)) {
            unknown.add(r.stream);
            opts.log.warn(
              `${opts.source}:${line}: records of stream "${r.stream}" are skipped: it is not in the configured catalog`,
            );
          }
          break;
        }
        const message = recordFromAirbyte(r.data, r.emitted_at, plan);
        yield lossless ? { message, place, lossless: true } : { message, place };
        break;
      }
      case 'STATE': {
        const carried: CarriedState = { seq: ++seq, line: text };
        yield { message: { type: 'STATE', value: carried }, place };
        break;
      }
      case 'TRACE': {
        const status = isObject(value.trace) ? value.trace.stream_status : undefined;
        if (!isObject(status) || !isObject(status.stream_descriptor)) break;
        const plan = plans.get(String(status.stream_descriptor.name));
        if (!plan) break;
        statuses = true;
        if (status.status === 'INCOMPLETE') incomplete.add(plan.stream);
        if (status.status === 'COMPLETE' && plan.version !== undefined && !activated.has(plan.stream))
          yield activate(plan, line);
        break;
      }
      default:
        break; // LOG, CONTROL…: nothing to load
    }
  }
  for (const plan of plans.values()) {
    if (plan.version === undefined || activated.has(plan.stream)) continue;
    if (incomplete.has(plan.stream) || statuses) {
      opts.log.warn(
        `stream "${plan.stream}" was ${incomplete.has(plan.stream) ? 'reported INCOMPLETE' : 'never reported COMPLETE'}: its older rows are kept (they are replaced only by a complete stream)`,
      );
      continue;
    }
    yield activate(plan, 0);
  }
}

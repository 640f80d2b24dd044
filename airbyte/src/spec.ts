import type { JsonSchema } from '../../singer/src/messages.js';
import type { PluginInfo, Setting } from '../../singer/src/settings.js';
import { type ConnectorSpecification, type DestinationSyncMode, PROTOCOL_VERSION } from './messages.js';

/** One setting as a JSON Schema property, in the dialect the Airbyte UI and PyAirbyte read. */
function settingProperty(setting: Setting, order: number): JsonSchema {
  const title = setting.name
    .split('_')
    .map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');
  const base: JsonSchema = { title, description: setting.description, order };
  switch (setting.kind) {
    case 'date_iso8601':
      Object.assign(base, { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}', examples: ['2024-01-01'] });
      break;
    case 'options':
      Object.assign(base, { type: 'string', ...(setting.options ? { enum: setting.options } : {}) });
      break;
    default:
      base.type = setting.kind;
  }
  if (setting.default !== undefined) base.default = setting.default;
  // Airbyte masks these in its UI and logs; the settings loader already keeps them out of ours.
  if (setting.sensitive) base.airbyte_secret = true;
  return base;
}

/** The `connectionSpecification` of a program: its settings (the same list `--about` prints) as JSON Schema. */
export function connectionSpecification(info: PluginInfo): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${info.name} configuration`,
    type: 'object',
    required: info.settings.filter((s) => s.required).map((s) => s.name),
    // Unknown keys are ignored, as in the Singer config file, so an older config keeps working.
    additionalProperties: true,
    properties: Object.fromEntries(info.settings.map((s, i) => [s.name, settingProperty(s, i)])),
  };
}

export type SpecOptions = {
  documentationUrl?: string;
  /** Destinations only. */
  destinationSyncModes?: DestinationSyncMode[];
  /** Sources only: whether any stream supports incremental (deprecated field, still read by old platforms). */
  supportsIncremental?: boolean;
};

/** What the `spec` verb prints inside a SPEC message. */
export function connectorSpecification(info: PluginInfo, opts: SpecOptions): ConnectorSpecification {
  return {
    ...(opts.documentationUrl ? { documentationUrl: opts.documentationUrl } : {}),
    connectionSpecification: connectionSpecification(info),
    protocol_version: PROTOCOL_VERSION,
    ...(opts.supportsIncremental !== undefined ? { supportsIncremental: opts.supportsIncremental } : {}),
    ...(opts.destinationSyncModes ? { supported_destination_sync_modes: opts.destinationSyncModes } : {}),
  };
}

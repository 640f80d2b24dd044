import {
  API_PREFIX,
  CHILD_RESOURCES,
  childOpenApiPath,
  EXPORT_RESOURCES,
  LIST_RESOURCES,
  scopeLabel,
} from '../../../pennylane/src/api.js';
import { replicationMethod, type StreamDefinition } from '../streams/definition.js';
import { STREAMS } from '../streams/definitions.js';

const HOW: Record<StreamDefinition['kind'], string> = {
  changelog: 'INCREMENTAL (changelog, deletes)',
  full_table: 'FULL_TABLE',
  export: 'INCREMENTAL (export per fiscal year)',
  per_fiscal_year: 'FULL_TABLE (per fiscal year)',
  child_table: 'FULL_TABLE (per parent)',
  child_changelog: "INCREMENTAL (per invoice; the invoices' changelog, deletes)",
};

function apiPath(def: StreamDefinition): string {
  if (def.kind === 'export') return `POST ${API_PREFIX}${EXPORT_RESOURCES[def.export].path}`;
  if (def.kind === 'child_table' || def.kind === 'child_changelog') {
    const child = CHILD_RESOURCES[def.child];
    const path = `GET ${API_PREFIX}${childOpenApiPath(def.child)}`;
    return def.kind === 'child_changelog'
      ? `${path} + /changelogs${LIST_RESOURCES[child.parent].path}`
      : path;
  }
  const path = `GET ${API_PREFIX}${LIST_RESOURCES[def.resource].path}`;
  return def.kind === 'changelog' ? `${path} + /changelogs${LIST_RESOURCES[def.resource].path}` : path;
}

/** The README's streams table (name, key, replication, API path, scope), from the definitions. */
export function streamsTable(streams: readonly StreamDefinition[] = STREAMS): string {
  const rows = streams.map((def) => {
    const how =
      def.kind === 'full_table' && def.refreshFrom
        ? `${HOW[def.kind]} (incremental runs: entries of changed ${def.refreshFrom.stream})`
        : HOW[def.kind];
    if (!how.startsWith(replicationMethod(def))) throw new Error(`${def.name}: table and catalog disagree`);
    const scopes = def.scopes.map((s) => `\`${scopeLabel(s)}\``).join(', ');
    return `| \`${def.name}\` | ${def.key.map((k) => `\`${k}\``).join(', ')} | ${how} | \`${apiPath(def)}\` | ${scopes} |`;
  });
  return ['| Stream | Key | Replication | API path | Scope |', '|---|---|---|---|---|', ...rows].join('\n');
}

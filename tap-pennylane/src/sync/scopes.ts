import {
  LIST_RESOURCES,
  type ScopeRequirement,
  satisfiesScope,
  scopeLabel,
} from '../../../pennylane/src/api.js';
import type { SelectedStream } from '../catalog/select.js';
import type { ApiClient } from './context.js';

export class MissingScopesError extends Error {
  override name = 'MissingScopesError';
}

/** The scopes a stream needs: its own, plus fiscal_years' for the per-year streams (they list the years). */
export function requiredScopes(stream: SelectedStream): ScopeRequirement[] {
  const def = stream.definition;
  const perYear = def.kind === 'export' || def.kind === 'per_fiscal_year';
  return perYear ? [...def.scopes, LIST_RESOURCES.fiscal_years.scope] : def.scopes;
}

/** Each missing scope once, with the selected streams that need it: `exports:fec (fec)`. */
export function missingScopes(granted: readonly string[], streams: readonly SelectedStream[]): string[] {
  const missing = new Map<string, string[]>();
  for (const stream of streams) {
    for (const need of requiredScopes(stream)) {
      if (satisfiesScope(granted, need)) continue;
      const label = scopeLabel(need);
      missing.set(label, [...(missing.get(label) ?? []), stream.definition.name]);
    }
  }
  return [...missing].map(([scope, names]) => `${scope} (${names.join(', ')})`);
}

/** Calls `/me` once and fails with ONE message listing every scope the selected streams lack. */
export async function checkScopes(client: ApiClient, streams: readonly SelectedStream[]): Promise<void> {
  const me = await client.getJson<{ scopes?: unknown } | null>('/me');
  // Without a scopes list every stream would look unauthorised and the token would be blamed; the
  // answer is the API's (or base_url's) fault.
  if (!me || typeof me !== 'object' || !Array.isArray(me.scopes)) {
    throw new Error(
      'GET /me: the answer has no "scopes" list — the API answered with an unexpected shape; check that base_url is the Pennylane API v2 (https://app.pennylane.com/api/external/v2), or rerun later',
    );
  }
  const granted = me.scopes.filter((s): s is string => typeof s === 'string');
  const missing = missingScopes(granted, streams);
  if (missing.length === 0) return;
  throw new MissingScopesError(
    `the API token lacks ${missing.length} scope(s) for the selected streams: ${missing.join(', ')}; ` +
      'grant them to the token in Pennylane (Settings › Connectivity › Developers) or deselect those streams in the catalog',
  );
}

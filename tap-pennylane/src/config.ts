import { PRODUCTION_BASE_URL, RATE_LIMIT } from '../../pennylane/src/api.js';
import { packageVersion } from '../../singer/src/paths.js';
import { type SettingValues, settingValues } from '../../singer/src/setting-values.js';
import { ConfigError, loadConfig, type PluginInfo, type Setting } from '../../singer/src/settings.js';

const SETTINGS: Setting[] = [
  {
    name: 'api_token',
    kind: 'string',
    required: true,
    sensitive: true,
    fallbackEnv: ['PENNYLANE_API_TOKEN'],
    description:
      'Pennylane company API token (Settings › Connectivity › Developers), read-only scopes for the streams you sync.',
  },
  {
    name: 'base_url',
    kind: 'string',
    default: PRODUCTION_BASE_URL,
    fallbackEnv: ['PENNYLANE_API_BASE_URL'],
    description: 'API v2 base URL, including /api/external/v2 (change it only for a test server).',
  },
  {
    name: 'start_date',
    kind: 'date_iso8601',
    description:
      'Optional. Fiscal years that finished before this date get no export or trial balance. Lists are not filtered by it: the API has no modification-date filter.',
  },
  {
    name: 'request_timeout_seconds',
    kind: 'integer',
    default: 60,
    description: 'Timeout of one HTTP request (headers and body), in seconds.',
  },
  {
    name: 'rate_limit_requests',
    kind: 'integer',
    default: RATE_LIMIT.requests,
    description: 'Request budget per window, shared by all streams (Pennylane allows 25 per 5 s per token).',
  },
  {
    name: 'rate_limit_window_seconds',
    kind: 'number',
    default: RATE_LIMIT.windowMs / 1000,
    description: 'Length of the rate-limit window, in seconds.',
  },
  {
    name: 'fiscal_years_back',
    kind: 'integer',
    default: 2,
    description:
      'How many past (closed or frozen) fiscal years, besides the open ones, get FEC, analytical ledger and trial balance.',
  },
  {
    name: 'export_max_age_hours',
    kind: 'number',
    default: 24,
    description:
      "An open fiscal year's exports are requested again once the last one is older than this; closed years are exported once.",
  },
  {
    name: 'full_listing_max_age_hours',
    kind: 'number',
    default: 24,
    description:
      'Between full listings, incremental runs read only new ledger accounts and the trial balances of open years; both are read in full (with deletions) once the last full listing is older than this.',
  },
  {
    name: 'reexport_closed_years',
    kind: 'boolean',
    default: false,
    description:
      'Export closed and frozen fiscal years again on this run, even though they were exported before.',
  },
  {
    name: 'export_poll_timeout_seconds',
    kind: 'integer',
    default: 600,
    description: 'How long to wait for an export job to become ready before failing the stream.',
  },
  {
    name: 'export_poll_interval_seconds',
    kind: 'number',
    default: 5,
    description: 'Delay between two polls of a pending export job.',
  },
  {
    name: 'changelog_overlap_seconds',
    kind: 'integer',
    default: 300,
    description:
      'Changelogs are re-read from this long before the bookmark (events are deduplicated), as start_date may be exclusive.',
  },
  {
    name: 'full_refresh',
    kind: 'boolean',
    default: false,
    description:
      'Ignore the incremental bookmarks and list every stream in full; exports of closed years are kept (see reexport_closed_years).',
  },
];

/** What `--about` prints, what loading reads, what Meltano and the README show. */
export const TAP_INFO: PluginInfo = {
  name: 'tap-pennylane',
  description:
    'Singer tap for the Pennylane API v2: 20 streams, changelog incrementals with deletes, invoice lines, FEC and analytical ledger exports.',
  version: packageVersion,
  // `properties` is not declared: Meltano wants one of catalog/properties; the CLI still accepts --properties.
  capabilities: ['catalog', 'discover', 'state', 'about', 'activate-version'],
  settings: SETTINGS,
  envPrefix: 'TAP_PENNYLANE_',
};

/** The validated configuration the tap runs with (the settings above, camelCased, defaults applied). */
export type TapConfig = {
  apiToken: string;
  /** Without a trailing slash. */
  baseUrl: string;
  /** YYYY-MM-DD, when set. */
  startDate: string | undefined;
  requestTimeoutSeconds: number;
  rateLimitRequests: number;
  rateLimitWindowSeconds: number;
  fiscalYearsBack: number;
  exportMaxAgeHours: number;
  fullListingMaxAgeHours: number;
  reexportClosedYears: boolean;
  exportPollTimeoutSeconds: number;
  exportPollIntervalSeconds: number;
  changelogOverlapSeconds: number;
  fullRefresh: boolean;
};

function apiToken(raw: Record<string, unknown>): string {
  const v = raw.api_token;
  // The value is never echoed: only its shape is described.
  if (typeof v !== 'string' || v.trim() === '')
    throw new ConfigError(
      `setting "api_token" is required (a non-empty string): put it in the config file or set TAP_PENNYLANE_API_TOKEN or PENNYLANE_API_TOKEN`,
    );
  const token = v.trim();
  if (/\s/.test(token))
    throw new ConfigError(
      'setting "api_token" contains whitespace: paste the token alone, without "Bearer "',
    );
  return token;
}

function baseUrl(s: SettingValues): string {
  const v = s.value('base_url');
  let url: URL | undefined;
  try {
    url = typeof v === 'string' ? new URL(v) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new ConfigError(
      `setting "base_url" must be an http(s) URL such as ${PRODUCTION_BASE_URL}: fix it in the config file or TAP_PENNYLANE_BASE_URL`,
    );
  if (url.username || url.password)
    throw new ConfigError('setting "base_url" must not carry credentials: put the token in api_token');
  return url.href.replace(/\/+$/, '');
}

function startDate(raw: Record<string, unknown>): string | undefined {
  const v = raw.start_date;
  if (v === undefined || v === null || v === '') return undefined;
  const m = typeof v === 'string' ? /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(v.trim()) : null;
  if (!m || Number.isNaN(Date.parse(m[2] ? (v as string) : `${m[1]}T00:00:00Z`)))
    throw new ConfigError(
      `setting "start_date" must be a date like 2024-01-01 (or an ISO 8601 date-time), got ${JSON.stringify(v)}`,
    );
  return m[1];
}

/**
 * Validates a raw configuration (the config file overlaid with env vars, as `loadConfig` returns it, or any
 * object with the setting names as keys) and returns it typed. Missing keys take their defaults. Throws a
 * one-line ConfigError naming the key and the fix; the token's value never appears in it.
 */
export function toTapConfig(raw: Record<string, unknown>): TapConfig {
  const s = settingValues(TAP_INFO, raw);
  return {
    apiToken: apiToken(raw),
    baseUrl: baseUrl(s),
    startDate: startDate(raw),
    requestTimeoutSeconds: s.number('request_timeout_seconds', {
      integer: false,
      min: 0,
      minExclusive: true,
    }),
    rateLimitRequests: s.number('rate_limit_requests', { integer: true, min: 1 }),
    rateLimitWindowSeconds: s.number('rate_limit_window_seconds', {
      integer: false,
      min: 0,
      minExclusive: true,
    }),
    fiscalYearsBack: s.number('fiscal_years_back', { integer: true, min: 0 }),
    exportMaxAgeHours: s.number('export_max_age_hours', { integer: false, min: 0 }),
    fullListingMaxAgeHours: s.number('full_listing_max_age_hours', { integer: false, min: 0 }),
    reexportClosedYears: s.boolean('reexport_closed_years'),
    exportPollTimeoutSeconds: s.number('export_poll_timeout_seconds', {
      integer: false,
      min: 0,
      minExclusive: true,
    }),
    exportPollIntervalSeconds: s.number('export_poll_interval_seconds', {
      integer: false,
      min: 0,
      minExclusive: true,
    }),
    changelogOverlapSeconds: s.number('changelog_overlap_seconds', { integer: true, min: 0 }),
    fullRefresh: s.boolean('full_refresh'),
  };
}

/** Reads the config file (if any), overlays TAP_PENNYLANE_* and PENNYLANE_API_TOKEN env vars, validates. */
export const loadTapConfig = (file: string | undefined, env: NodeJS.ProcessEnv = process.env): TapConfig =>
  toTapConfig(loadConfig(TAP_INFO, file, env));

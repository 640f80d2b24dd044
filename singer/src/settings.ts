import { readFileSync } from 'node:fs';
import { decodeText, parseJsonText, withoutBom } from './json-text.js';

/** One configuration key of a program: drives loading, `--about`, the README table and meltano.yml. */
export type Setting = {
  name: string;
  kind: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'date_iso8601' | 'options';
  description: string;
  sensitive?: boolean;
  required?: boolean;
  default?: unknown;
  options?: string[];
  /** Env vars read when neither the file nor the prefixed env var sets the key (e.g. PENNYLANE_API_TOKEN). */
  fallbackEnv?: string[];
};

export type PluginInfo = {
  name: string;
  description: string;
  version: string;
  capabilities: string[];
  settings: Setting[];
  /** Meltano's convention: TAP_PENNYLANE_API_TOKEN, TARGET_POSTGRES_HOST. */
  envPrefix: string;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const envVarName = (info: PluginInfo, setting: Setting): string =>
  `${info.envPrefix}${setting.name.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;

function coerce(setting: Setting, raw: unknown, origin: string): unknown {
  if (raw === undefined || raw === null) return raw;
  const bad = (what: string) =>
    new ConfigError(
      `${origin}: setting "${setting.name}" must be ${what}, got ${setting.sensitive ? `a ${typeof raw}` : JSON.stringify(raw)}`,
    );
  switch (setting.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|1|yes|on)$/i.test(raw)) return true;
      if (typeof raw === 'string' && /^(false|0|no|off)$/i.test(raw)) return false;
      throw bad('true or false');
    case 'integer': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n === 'number' && Number.isInteger(n)) return n;
      throw bad('an integer');
    }
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof n === 'number' && Number.isFinite(n)) return n;
      throw bad('a number');
    }
    case 'object':
    case 'array': {
      let v = raw;
      if (typeof raw === 'string') {
        try {
          v = JSON.parse(raw);
        } catch {
          throw bad(`JSON (${setting.kind})`);
        }
      }
      if (setting.kind === 'array' ? Array.isArray(v) : typeof v === 'object' && !Array.isArray(v)) return v;
      throw bad(`a JSON ${setting.kind}`);
    }
    case 'options':
      if (typeof raw === 'string' && (!setting.options || setting.options.includes(raw))) return raw;
      throw bad(`one of ${setting.options?.join(', ')}`);
    default:
      if (typeof raw === 'string') return raw;
      throw bad('a string');
  }
}

/**
 * Reads the JSON config file (if any), overlays `<PREFIX>_<KEY>` env vars (env wins, as in Meltano),
 * then fallback env vars and defaults. Secrets never appear in the errors: only key names do.
 */
export function loadConfig(
  info: PluginInfo,
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> {
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = decodeText(readFileSync(file));
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    // Any JSON layout, and the byte order mark Windows editors add. Only the place of a fault is said:
    // V8's message can quote the text, and a config file holds secrets.
    const result = parseJsonText(withoutBom(text));
    if (!result.ok) {
      throw new ConfigError(
        `config file ${file} is not valid JSON: ${result.problem}; every key and string needs double quotes, and no trailing commas`,
      );
    }
    const parsed = result.value;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`config file ${file} must hold one JSON object, like {"key": "value"}`);
    }
    fromFile = parsed as Record<string, unknown>;
  }
  const config: Record<string, unknown> = { ...fromFile };
  for (const setting of info.settings) {
    const envName = envVarName(info, setting);
    if (env[envName] !== undefined && env[envName] !== '') {
      config[setting.name] = coerce(setting, env[envName], `env ${envName}`);
    } else if (config[setting.name] !== undefined) {
      config[setting.name] = coerce(setting, config[setting.name], file ?? 'config');
    } else {
      const fallback = setting.fallbackEnv?.find((name) => env[name] !== undefined && env[name] !== '');
      if (fallback) config[setting.name] = coerce(setting, env[fallback], `env ${fallback}`);
      else if (setting.default !== undefined) config[setting.name] = setting.default;
    }
    if (setting.required && (config[setting.name] === undefined || config[setting.name] === '')) {
      throw new ConfigError(
        `setting "${setting.name}" is required: put it in the config file or set ${envVarName(info, setting)}`,
      );
    }
  }
  return config;
}

/** The values of every sensitive setting, so the logger can hide them wherever they turn up. */
export const secretValues = (info: PluginInfo, config: Record<string, unknown>): string[] =>
  info.settings
    .filter((s) => s.sensitive && typeof config[s.name] === 'string' && (config[s.name] as string).length > 0)
    .map((s) => config[s.name] as string);

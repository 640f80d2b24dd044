import { ConfigError, envVarName, type PluginInfo } from './settings.js';

/** The smallest a number setting may be; `minExclusive`: strictly above it. */
export type NumberRule = { integer: boolean; min: number; minExclusive?: boolean };

/** Typed reads of a loaded configuration, each failing with one line that names the setting and the fix. */
export type SettingValues = {
  /** The value, or the setting's default when it is missing, null or empty. */
  value(name: string): unknown;
  number(name: string, rule: NumberRule): number;
  boolean(name: string): boolean;
  optionalString(name: string): string | undefined;
};

/** Reads `raw` (as `loadConfig` returns it, or any object keyed by setting names) with `info`'s defaults. */
export function settingValues(info: PluginInfo, raw: Record<string, unknown>): SettingValues {
  const value = (name: string): unknown => {
    const v = raw[name];
    return v === undefined || v === null || v === ''
      ? info.settings.find((s) => s.name === name)?.default
      : v;
  };
  const where = (name: string): string => {
    const setting = info.settings.find((s) => s.name === name);
    return setting ? `the config file or ${envVarName(info, setting)}` : 'the config file';
  };
  return {
    value,
    number(name, rule) {
      const v = value(name);
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      const ok =
        typeof n === 'number' &&
        Number.isFinite(n) &&
        (!rule.integer || Number.isInteger(n)) &&
        (rule.minExclusive ? n > rule.min : n >= rule.min);
      if (!ok) {
        const what = `${rule.integer ? 'an integer' : 'a number'} ${rule.minExclusive ? '>' : '≥'} ${rule.min}`;
        throw new ConfigError(
          `setting "${name}" must be ${what}, got ${JSON.stringify(v)}: fix it in ${where(name)}`,
        );
      }
      return n;
    },
    boolean(name) {
      const v = value(name);
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      throw new ConfigError(`setting "${name}" must be true or false, got ${JSON.stringify(v)}`);
    },
    optionalString(name) {
      const v = value(name);
      if (v === undefined) return undefined;
      if (typeof v !== 'string') throw new ConfigError(`setting "${name}" must be a string`);
      return v;
    },
  };
}

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXPORT_RESOURCES, LIST_RESOURCES, type ScopeRequirement } from '../../pennylane/src/api.js';
import { packageRoot } from '../../singer/src/paths.js';
import { envVarName } from '../../singer/src/settings.js';
import { TAP_INFO } from '../../tap-pennylane/src/config.js';
import { TARGET_INFO } from '../../target-postgres/src/config.js';
import { DEFAULTS, PRODUCT_FLATTENING, RUNNER_ENV } from '../src/config.js';
import { meltanoYml } from '../src/meltano-yml.js';

const read = (name: string) => readFileSync(join(packageRoot, name), 'utf8');

describe('.env.example', () => {
  const text = read('.env.example');

  it('explains every variable the runner, the tap and the target read', () => {
    const names = [
      ...Object.values(RUNNER_ENV),
      ...TAP_INFO.settings.map((s) => envVarName(TAP_INFO, s)),
      ...TARGET_INFO.settings.map((s) => envVarName(TARGET_INFO, s)),
      'PENNYLANE_API_TOKEN',
      'DATABASE_URL',
      'LOG_LEVEL',
    ];
    const missing = names.filter((n) => !new RegExp(`^#? ?${n}=`, 'm').test(text));
    assert.deepEqual(missing, []);
  });

  it("names each scope the tap's streams need, as runner.md does", () => {
    const needed = [...Object.values(LIST_RESOURCES), ...Object.values(EXPORT_RESOURCES)].map(
      (r) => r.scope as ScopeRequirement,
    );
    const names = [...new Set(needed.map((s) => ('exact' in s ? s.exact : s.base)))];
    const runnerDoc = read('docs/manual/runner.md');
    const word = (n: string) => new RegExp(`(^|[^\\w:])${n}($|[^\\w])`, 'm');
    assert.deepEqual(
      names.filter((n) => !word(n).test(text)),
      [],
      'missing from .env.example',
    );
    assert.deepEqual(
      names.filter((n) => !word(n).test(runnerDoc)),
      [],
      'missing from runner.md',
    );
  });

  it("shows each program's own default, or the runner's where it sets one", () => {
    const runnerDefaults: Record<string, string> = {
      ...PRODUCT_FLATTENING,
      TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA: DEFAULTS.schema,
    };
    const wrong: string[] = [];
    for (const info of [TAP_INFO, TARGET_INFO]) {
      for (const s of info.settings) {
        const name = envVarName(info, s);
        const shown = new RegExp(`^# ?${name}=(.*)$`, 'm').exec(text)?.[1];
        const expected = runnerDefaults[name] ?? (s.default === undefined ? undefined : String(s.default));
        if (shown !== undefined && expected !== undefined && shown !== expected)
          wrong.push(`${name}=${shown} (default ${expected})`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('holds no secret: every token or password variable is empty or commented out', () => {
    for (const line of text.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m && /TOKEN|PASSWORD|DATABASE_URL/.test(m[1]!)) assert.equal(m[2], '', `${m[1]} has a value`);
    }
  });
});

describe('meltano.yml', () => {
  const text = read('meltano.yml');

  it("is the one generated from the programs' settings (regenerate it with runner/src/meltano-yml.ts)", () => {
    assert.equal(text, meltanoYml());
  });

  it('declares both plugins by executable, without pip_url, with secrets marked sensitive', () => {
    assert.match(text, /executable: \.\/node_modules\/\.bin\/tap-pennylane/);
    assert.match(text, /executable: \.\/node_modules\/\.bin\/target-postgres/);
    assert.doesNotMatch(text, /pip_url/);
    for (const name of ['api_token', 'database_url', 'password']) {
      assert.match(text, new RegExp(`- name: ${name}\\n\\s+kind: string\\n\\s+sensitive: true`));
    }
  });

  it('declares the capabilities the programs print in --about', () => {
    const about = (script: string) =>
      JSON.parse(
        // --about is pure: no network, no database
        execFileSync(
          process.execPath,
          ['--import', 'tsx', join(packageRoot, script), '--about', '--format', 'json'],
          {
            cwd: packageRoot,
            encoding: 'utf8',
          },
        ),
      ) as { capabilities: string[] };
    const tap = about('tap-pennylane/src/cli.ts');
    assert.match(text, new RegExp(`capabilities: \\[${tap.capabilities.join(', ')}\\]`));
    const target = about('target-postgres/src/cli.ts');
    const declared = /loaders:[\s\S]*?capabilities: \[([^\]]*)\]/.exec(text)?.[1]?.split(', ') ?? [];
    assert.ok(declared.length > 0);
    for (const c of declared)
      assert.ok(target.capabilities.includes(c), `${c} is not a capability of target-postgres`);
  });
});

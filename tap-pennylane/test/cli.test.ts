import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES } from '../../sandbox/src/index.js';
import type { Sandbox } from '../../sandbox/src/types.js';
import { runScript } from '../../test/support/cli.js';
import { catalogJson } from '../src/catalog/discover.js';
import { catalogOf, sandbox, sandboxSettings } from './support/harness.js';

const CLI = 'tap-pennylane/src/cli.ts';
const SIZE = {
  customers: 6,
  suppliers: 4,
  products: 3,
  customerInvoices: 8,
  supplierInvoices: 5,
  transactions: 8,
  bankAccounts: 1,
  fiscalYears: 2,
};
/** No TAP_PENNYLANE_* or PENNYLANE_* variable of the caller leaks into the runs. */
const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TAP_PENNYLANE_|PENNYLANE_)/.test(k)));
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

describe('tap-pennylane CLI', () => {
  let sb: Sandbox;
  let dir: string;
  let configFile: string;

  before(async () => {
    sb = await sandbox({ size: SIZE, seed: 9 });
    dir = mkdtempSync(join(tmpdir(), 'tap-cli-'));
    configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(sandboxSettings(sb)));
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runScript(CLI, args, undefined, { env: { ...cleanEnv(), ...env } });

  it('--discover prints the catalog, exactly catalog.json', async () => {
    const r = await run(['--discover']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, catalogJson());
  });

  it('syncs every stream without a catalog, prints whole NDJSON lines and a one-line summary', async () => {
    const r = await run(['--config', configFile]);
    assert.equal(r.code, 0, r.stderr);
    const messages = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const streams = new Set(messages.filter((m) => m.type === 'SCHEMA').map((m) => m.stream));
    assert.equal(streams.size, 20);
    assert.equal(messages.at(-1).type, 'STATE');
    assert.match(
      lastLine(r.stderr),
      /^tap-pennylane: 20\/20 streams ok, \d+ records \(0 deleted\), \d+ requests, \d+\.\d s$/,
    );
    assert.ok(!r.stderr.includes(sb.token), 'the token never appears in the logs');

    // the state the target would print, as a file holding the target's whole stdout
    const stateFile = join(dir, 'state.json');
    writeFileSync(stateFile, `{"bookmarks":{}}\n${JSON.stringify(messages.at(-1).value)}\n`);
    const catalogFile = join(dir, 'catalog.json');
    writeFileSync(catalogFile, JSON.stringify(catalogOf(['customers', 'products'])));
    const again = await run(['--config', configFile, '--state', stateFile, '--catalog', catalogFile]);
    assert.equal(again.code, 0, again.stderr);
    const out = again.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      new Set(out.filter((m) => m.type === 'SCHEMA').map((m) => m.stream)),
      new Set(['customers', 'products']),
    );
    assert.equal(out.filter((m) => m.type === 'RECORD').length, 0, 'nothing changed since the first run');
    assert.match(lastLine(again.stderr), /^tap-pennylane: 2\/2 streams ok, 0 records/);

    // the same state pretty-printed, as `jq .`, an editor or Meltano (indent=2) writes it
    writeFileSync(stateFile, `${JSON.stringify(messages.at(-1).value, null, 2)}\n`);
    const pretty = await run(['--config', configFile, '--state', stateFile, '--catalog', catalogFile]);
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(lastLine(pretty.stderr), /^tap-pennylane: 2\/2 streams ok, 0 records/);
  });

  it('reports every missing scope in one message and exits 1 before printing anything', async () => {
    sb.control.setScopes(
      ALL_SCOPES.filter((s) => !['customers:all', 'exports:fec', 'fiscal_years:readonly'].includes(s)),
    );
    try {
      const r = await run(['--config', configFile]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const line = lastLine(r.stderr);
      assert.match(
        line,
        /^tap-pennylane: error: the API token lacks 3 scope\(s\) for the selected streams: /,
      );
      assert.match(line, /customers:readonly \(customers\)/);
      assert.match(line, /exports:fec \(fec\)/);
      assert.match(line, /fiscal_years:readonly \(fiscal_years, trial_balance, fec, analytical_ledger\)/);
    } finally {
      sb.control.setScopes(ALL_SCOPES);
    }
  });

  it('exits 1 naming the failed stream, after the other streams completed and a final STATE', async () => {
    sb.control.setFaults({ exportError: true });
    try {
      const catalogFile = join(dir, 'catalog-fec.json');
      writeFileSync(catalogFile, JSON.stringify(catalogOf(['journals', 'fec'])));
      const r = await run(['--config', configFile, '--catalog', catalogFile]);
      assert.equal(r.code, 1);
      const messages = r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.equal(messages.at(-1).type, 'STATE');
      assert.ok(messages.at(-1).value.bookmarks.journals, 'the completed stream is bookmarked');
      assert.match(
        lastLine(r.stderr),
        /^tap-pennylane: error: 1 stream\(s\) failed; first: fec: fiscal year \d+ .*in error/,
      );
      assert.match(r.stderr, /tap-pennylane: 1\/2 streams ok/);
    } finally {
      sb.control.clearFaults();
    }
  });

  it('explains a bad state file in one line', async () => {
    const stateFile = join(dir, 'bad-state.json');
    writeFileSync(stateFile, '{"bookmarks": 3}');
    const bad = await run(['--config', configFile, '--state', stateFile]);
    assert.equal(bad.code, 1);
    assert.match(
      lastLine(bad.stderr),
      /^tap-pennylane: error: state file .*bad-state\.json: "bookmarks" must be an object keyed by stream name/,
    );
  });
});

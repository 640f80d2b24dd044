import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { COMPANIES, type CompaniesHarness, lineOf, startCompaniesHarness } from './companies-harness.js';
import { collect } from './harness.js';

describe('many companies: one lock per company, the scheduler, a bad companies file', () => {
  let h: CompaniesHarness;
  before(async () => {
    h = await startCompaniesHarness();
  });
  after(() => h.close());

  it('never overlaps two runs of one company, while another company runs alongside', async () => {
    const acme = h.control('acme');
    // acme's run stays in flight (its first request hangs) until the test stops it.
    acme.setFaults({ latencyMs: 120_000, pathPrefix: '/me' });
    const slowChild = h.spawnCli('runner/src/sync-cli.ts', ['--company', 'acme']);
    const slow = collect(slowChild);
    try {
      for (;;) {
        // The table appears with acme's first run.
        const r = await h.db.client
          .query("SELECT 1 FROM pennylane_acme.sync_runs WHERE outcome = 'running'")
          .catch(() => ({ rowCount: 0 }));
        if (r.rowCount) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      const [second, other] = await Promise.all([
        h.run(['--company', 'acme']),
        h.run(['--company', 'gamma']),
      ]);
      assert.equal(second.code, 3, second.stderr);
      assert.match(
        lineOf(second, 'acme'),
        /SKIPPED: another sync is already running .*schema "pennylane_acme"/,
      );
      assert.match(second.stderr, /1 company in [\d.]+ s: 0 succeeded, 1 failed \(acme\)\n$/);
      assert.equal(other.code, 0, other.stderr);
      assert.match(lineOf(other, 'gamma'), /succeeded/);
      const running = await h.db.client.query(
        "SELECT 1 FROM pennylane_acme.sync_runs WHERE outcome = 'running'",
      );
      assert.equal(running.rowCount, 1, 'gamma ran and finished while acme was in flight');
    } finally {
      acme.clearFaults();
      slowChild.kill('SIGTERM');
    }
    const stopped = await slow;
    assert.equal(stopped.code, 143, stopped.stderr);
    const last = await h.db.client.query(
      'SELECT outcome FROM pennylane_acme.sync_runs ORDER BY id DESC LIMIT 1',
    );
    assert.equal(last.rows[0].outcome, 'failed', 'the stopped run is recorded as such');
  });

  it('runs every company on the schedule (npm start), each on its own, and stops cleanly', async () => {
    const child = h.spawnCli('runner/src/scheduler-cli.ts', [], {
      LOG_LEVEL: 'info',
      PENNYLANE_SYNC_INCREMENTAL_CRON: '*/2 * * * * *',
      PENNYLANE_SYNC_FULL_CRON: '0 3 * * *',
    });
    const done = collect(child);
    const since = (await h.db.client.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
    const succeeded = async (schema: string) =>
      (
        await h.db.client
          .query(
            "SELECT 1 FROM reporting.sync_runs WHERE outcome = 'succeeded' AND started_at > $1 AND company = $2",
            [since, schema],
          )
          // The consolidated view appears with the first company's success.
          .catch(() => ({ rowCount: 0 }))
      ).rowCount ?? 0;
    for (let i = 0; i < 1200 && child.exitCode === null; i++) {
      const counts = await Promise.all(['acme', 'beta', 'gamma'].map(succeeded));
      if (counts.every((n) => n >= 1)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    const res = await done;
    assert.equal(res.code, 0, res.stderr);
    for (const name of ['acme', 'beta', 'gamma']) {
      assert.match(
        res.stderr,
        new RegExp(
          `pennylane-scheduler \\[${name}\\]: pennylane-sync \\[${name}\\]: (full|incremental) run #\\d+ succeeded`,
        ),
      );
    }
    assert.match(res.stderr, /reporting \(all companies\): \d+ views built in schema "reporting"/);
    for (const schema of ['pennylane_acme', 'pennylane_beta', 'compta_gamma']) {
      const overlaps = await h.db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.sync_runs a JOIN ${schema}.sync_runs b
           ON a.id < b.id AND b.started_at < a.finished_at`,
      );
      assert.equal(overlaps.rows[0]?.n, 0, `${schema}: runs never overlap`);
      const running = await h.db.client.query(`SELECT 1 FROM ${schema}.sync_runs WHERE outcome = 'running'`);
      assert.equal(running.rowCount, 0, `${schema}: nothing left running`);
    }
    for (const c of COMPANIES) assert.doesNotMatch(res.stderr, new RegExp(c.token));
  });

  it('refuses a companies file readable by others, and a missing token variable, with one line each', async () => {
    chmodSync(h.file, 0o644);
    try {
      const res = await h.run();
      assert.equal(res.code, 2);
      assert.equal(
        res.stderr.trim(),
        `pennylane-sync: error: companies file ${h.file}: readable by other users (mode 644); it may hold API tokens: run \`chmod 600 ${h.file}\``,
      );
    } finally {
      chmodSync(h.file, 0o600);
    }
    const res = await h.run([], { BETA_TOKEN: '' });
    assert.equal(res.code, 2);
    assert.equal(
      res.stderr.trim(),
      `pennylane-sync: error: companies file ${h.file}: company #2 "beta": field "api_token_env": the variable BETA_TOKEN is not set: put BETA_TOKEN=<token> in .env or the environment`,
    );
  });
});

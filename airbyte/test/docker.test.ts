/**
 * Docker cannot run here, so the image is checked in its parts: the entrypoint's choice of program (run
 * against a stand-in /app whose two CLIs print who they are), and the Dockerfile's promises (rootless,
 * AIRBYTE_ENTRYPOINT = ENTRYPOINT, labels, every copied path present in the repository).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../singer/src/paths.js';

const ENTRYPOINT = join(packageRoot, 'airbyte', 'docker', 'entrypoint.sh');

describe('the image entrypoint', () => {
  let app: string;
  before(() => {
    app = mkdtempSync(join(tmpdir(), 'airbyte-image-'));
    for (const program of ['tap-pennylane', 'target-postgres']) {
      mkdirSync(join(app, 'dist', program, 'src'), { recursive: true });
      writeFileSync(
        join(app, 'dist', program, 'src', 'cli.js'),
        `console.log(JSON.stringify({ program: '${program}', args: process.argv.slice(2) }));\n`,
      );
    }
  });
  after(() => rmSync(app, { recursive: true, force: true }));

  const run = (connector: string | undefined, args: string[]) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, APP_DIR: app };
    if (connector !== undefined) env.AIRBYTE_CONNECTOR = connector;
    return spawnSync('sh', [ENTRYPOINT, ...args], { env, encoding: 'utf8' });
  };

  test('runs the source by default and the destination when AIRBYTE_CONNECTOR says so, passing every argument', () => {
    assert.deepEqual(JSON.parse(run(undefined, ['spec']).stdout), {
      program: 'tap-pennylane',
      args: ['spec'],
    });
    assert.deepEqual(JSON.parse(run('destination', ['write', '--config', 'a b.json']).stdout), {
      program: 'target-postgres',
      args: ['write', '--config', 'a b.json'],
    });
    assert.equal(JSON.parse(run('source-pennylane', ['read']).stdout).program, 'tap-pennylane');
  });

  test('an unknown connector name stops with exit code 2 and a message', () => {
    const r = run('warehouse', ['spec']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /AIRBYTE_CONNECTOR must be source or destination, got 'warehouse'/);
  });
});

describe('the Dockerfile', () => {
  const text = readFileSync(join(packageRoot, 'Dockerfile'), 'utf8');
  const runtime = text.slice(text.lastIndexOf('\nFROM '));

  test('the runtime stage is node:20-slim, runs as the non-root node user, and its entrypoint is AIRBYTE_ENTRYPOINT', () => {
    assert.match(runtime, /^\nFROM node:20-slim\n/);
    assert.match(runtime, /\nUSER node\n/);
    const entrypoint = /ENTRYPOINT \["([^"]+)"\]/.exec(runtime)?.[1];
    assert.equal(entrypoint, '/app/airbyte/docker/entrypoint.sh');
    assert.match(runtime, new RegExp(`AIRBYTE_ENTRYPOINT="${entrypoint}"`));
    assert.match(runtime, /COPY .*airbyte\/docker\/entrypoint\.sh \.\/airbyte\/docker\/entrypoint\.sh/);
    assert.match(runtime, /io\.airbyte\.name=/);
    assert.match(runtime, /io\.airbyte\.version=/);
  });

  test('every path the build copies from the repository exists', () => {
    const sources = [...text.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(' '),
    );
    assert.ok(sources.length > 5);
    for (const path of sources)
      assert.ok(existsSync(join(packageRoot, path)), `${path} is copied but missing`);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { aboutMarkdown } from '../../../singer/src/about.js';
import { packageRoot } from '../../../singer/src/paths.js';
import { TAP_INFO } from '../config.js';
import { STREAMS } from '../streams/definitions.js';
import { streamsTable } from './streams-table.js';

const readme = readFileSync(join(packageRoot, 'docs/manual/tap-pennylane.md'), 'utf8');

describe('the tap-pennylane README section', () => {
  it('shows the streams table of the definitions (update it from streamsTable() when a stream changes)', () => {
    assert.ok(readme.includes(streamsTable()), 'docs/manual/tap-pennylane.md: streams table out of date');
  });

  it('shows the settings table of --about --format markdown', () => {
    const rows = aboutMarkdown(TAP_INFO)
      .split('\n')
      .filter((l) => l.startsWith('|'));
    assert.equal(rows.length, TAP_INFO.settings.length + 2);
    assert.ok(readme.includes(rows.join('\n')), 'docs/manual/tap-pennylane.md: settings table out of date');
  });

  it('has one row per stream, with its key and scope', () => {
    const table = streamsTable();
    for (const def of STREAMS)
      assert.match(table, new RegExp(`^\\| \`${def.name}\` \\| \`${def.key[0]}\``, 'm'));
    assert.match(table, /`ledger_entry_lines` .* `ledger_entries:readonly` \|$/m);
    assert.match(table, /`fec` .* `POST \/api\/external\/v2\/exports\/fecs` \| `exports:fec` \|$/m);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { companyReportingSchema, unionSql } from './consolidated.js';

describe('consolidated views', () => {
  it("are the union of every company's view, with the slug as a leading company column", () => {
    assert.equal(
      unionSql('reporting', 'ledger_lines', [
        { company: 'acme', from: 'pennylane_acme_reporting.ledger_lines' },
        { company: "o'neil", from: 'compta_oneil_reporting.ledger_lines' },
      ]),
      [
        'CREATE OR REPLACE VIEW reporting.ledger_lines AS',
        "SELECT 'acme'::text AS company, * FROM pennylane_acme_reporting.ledger_lines",
        'UNION ALL',
        "SELECT 'o''neil'::text AS company, * FROM compta_oneil_reporting.ledger_lines",
      ].join('\n'),
    );
  });

  it("put each company's own views next to its schema", () => {
    assert.equal(companyReportingSchema('pennylane_acme'), 'pennylane_acme_reporting');
  });
});

import type { ReportingResult } from './apply.js';

/** The one line that says what the reporting layer became, after a sync or `npm run reporting`. */
export function formatReporting(schema: string, result?: ReportingResult, error?: string): string {
  if (error !== undefined) {
    return `reporting: the views in schema "${schema}" were NOT rebuilt (the synced data is committed): ${error}`;
  }
  if (!result) return `reporting: off (PENNYLANE_REPORTING=false)`;
  const skipped = result.skipped.length;
  return (
    `reporting: ${result.built.length} view${result.built.length === 1 ? '' : 's'} built in schema "${schema}" ` +
    `in ${result.seconds.toFixed(1)} s` +
    (skipped > 0 ? `; ${skipped} skipped (${result.skipped.map((s) => s.view).join(', ')}), see above` : '')
  );
}

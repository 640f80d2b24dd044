export type FiscalYearStatus = 'open' | 'reopen' | 'closed' | 'frozen';

export type FiscalYear = { id: number; start: string; finish: string; status: FiscalYearStatus | string };

/** Open (or reopened) years can still change; closed and frozen ones cannot. */
export const isSettled = (status: string): boolean => status === 'closed' || status === 'frozen';

/**
 * The fiscal years that get exports and trial balances: every open or reopened year, plus the `back`
 * most recent settled ones; years that finished before `startDate` are left out. Sorted by start.
 */
export function yearsInScope(
  years: readonly FiscalYear[],
  back: number,
  startDate: string | undefined,
): FiscalYear[] {
  const eligible = years.filter((y) => !startDate || y.finish >= startDate);
  const open = eligible.filter((y) => !isSettled(y.status));
  const settled = eligible
    .filter((y) => isSettled(y.status))
    .sort((a, b) => b.start.localeCompare(a.start))
    .slice(0, back);
  return [...open, ...settled].sort((a, b) => a.start.localeCompare(b.start) || a.id - b.id);
}

export function toFiscalYear(raw: Record<string, unknown>): FiscalYear {
  const { id, start, finish, status } = raw;
  if (typeof id !== 'number' || typeof start !== 'string' || typeof finish !== 'string') {
    throw new Error(
      `fiscal_years: a fiscal year lacks id, start or finish (${JSON.stringify(raw).slice(0, 200)}); cannot choose export periods`,
    );
  }
  return { id, start, finish, status: typeof status === 'string' ? status : 'open' };
}

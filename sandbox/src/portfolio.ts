import { chmodSync, writeFileSync } from 'node:fs';
import type { SandboxCounts } from './types.js';

/** A firm's portfolio for the sandbox: N companies of different sizes and seeds, one token each. */
export type PortfolioCompany = { name: string; token: string; seed: number; size: SandboxCounts };

/** Sizes cycle through these shares of the base size, so the companies are not all alike. */
const SHARES = [1, 0.5, 0.25, 0.75] as const;

export function portfolio(n: number, base: SandboxCounts, seed: number): PortfolioCompany[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--companies must be a whole number ≥ 1, got ${n}`);
  const width = String(n).length;
  return Array.from({ length: n }, (_, i) => {
    const name = `company${String(i + 1).padStart(width, '0')}`;
    const share = SHARES[i % SHARES.length]!;
    const size = Object.fromEntries(
      Object.entries(base).map(([k, v]) => [k, Math.max(1, Math.round((v as number) * share))]),
    ) as SandboxCounts;
    // Fiscal years and bank accounts stay as the base: the views and exports need them all.
    size.fiscalYears = base.fiscalYears;
    size.bankAccounts = base.bankAccounts;
    return { name, token: `sandbox-token-${name}`, seed: seed + i, size };
  });
}

/** The companies file a user (or the demo, or the benchmark) points the runner at: mode 600, as required. */
export function writeCompaniesFile(
  path: string,
  baseUrl: string,
  companies: { name: string; token: string }[],
): void {
  const doc = { companies: companies.map((c) => ({ name: c.name, api_token: c.token, base_url: baseUrl })) };
  writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

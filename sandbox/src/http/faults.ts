import { createRandom, type Random } from '../random.js';
import type { Faults } from '../types.js';

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'rate_limit' }
  | { kind: 'reset' }
  | { kind: 'error'; status: 500 | 502 | 503 }
  | { kind: 'truncate' }
  | { kind: 'malformed' };

/**
 * Decides, per API request, which fault (if any) hits it. Draws come from a generator reseeded on
 * every setFaults, so the same faults and the same request sequence give the same outcome.
 */
export class FaultInjector {
  private faults: Faults = {};
  private random: Random;
  private burstLeft = 0;

  constructor(private readonly seed: number) {
    this.random = createRandom(seed ^ 0x5eed_fa17);
  }

  set(faults: Faults): void {
    for (const key of ['errorRate', 'resetRate', 'truncateRate', 'malformedRate'] as const) {
      const v = faults[key];
      if (v !== undefined && !(v >= 0 && v <= 1))
        throw new Error(`setFaults: ${key} must be between 0 and 1, got ${v}`);
    }
    this.faults = { ...faults };
    this.burstLeft = faults.rateLimitBurst ?? 0;
    this.random = createRandom(this.seed ^ 0x5eed_fa17);
  }

  clear(): void {
    this.set({});
  }

  get exportError(): boolean {
    return this.faults.exportError === true;
  }

  latencyFor(path: string): number {
    return this.applies(path) ? (this.faults.latencyMs ?? 0) : 0;
  }

  /** `path` is the part after /api/external/v2. */
  decide(path: string, method = 'GET'): FaultAction {
    if (!this.applies(path)) return { kind: 'none' };
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return { kind: 'rate_limit' };
    }
    const f = this.faults;
    if (!(f.methods ?? ['GET']).includes(method.toUpperCase())) return { kind: 'none' };
    if (!f.resetRate && !f.errorRate && !f.truncateRate && !f.malformedRate) return { kind: 'none' };
    const roll = this.random.next();
    let edge = f.resetRate ?? 0;
    if (roll < edge) return { kind: 'reset' };
    edge += f.errorRate ?? 0;
    if (roll < edge) return { kind: 'error', status: this.random.pick([500, 502, 503] as const) };
    edge += f.truncateRate ?? 0;
    if (roll < edge) return { kind: 'truncate' };
    edge += f.malformedRate ?? 0;
    if (roll < edge) return { kind: 'malformed' };
    return { kind: 'none' };
  }

  private applies(path: string): boolean {
    return this.faults.pathPrefix === undefined || path.startsWith(this.faults.pathPrefix);
  }
}

import { createRandom, type Random } from '../random.js';
import type { Faults } from '../types.js';

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'rate_limit' }
  | { kind: 'reset' }
  | { kind: 'error'; status: 500 | 502 | 503 }
  | { kind: 'truncate' }
  | { kind: 'malformed' }
  | { kind: 'html'; status: 502 | 503 | 504 }
  | { kind: 'stall'; ms: number }
  | { kind: 'wrong_shape' };

const RATES = [
  'errorRate',
  'resetRate',
  'truncateRate',
  'malformedRate',
  'htmlErrorRate',
  'stallRate',
  'wrongShapeRate',
] as const;

/** A stalled body waits this long by default: longer than any sane read timeout, short enough for a demo. */
export const DEFAULT_STALL_MS = 10_000;

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
    for (const key of RATES) {
      const v = faults[key];
      if (v !== undefined && !(v >= 0 && v <= 1))
        throw new Error(`setFaults: ${key} must be between 0 and 1, got ${v}`);
    }
    for (const key of ['latencyMs', 'stallMs'] as const) {
      const v = faults[key];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0))
        throw new Error(`setFaults: ${key} must be a number of milliseconds >= 0, got ${v}`);
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
    if (!RATES.some((key) => f[key])) return { kind: 'none' };
    // New kinds go after the old ones: with their rates at 0, a seed draws the same faults as before.
    const roll = this.random.next();
    let edge = f.resetRate ?? 0;
    if (roll < edge) return { kind: 'reset' };
    edge += f.errorRate ?? 0;
    if (roll < edge) return { kind: 'error', status: this.random.pick([500, 502, 503] as const) };
    edge += f.truncateRate ?? 0;
    if (roll < edge) return { kind: 'truncate' };
    edge += f.malformedRate ?? 0;
    if (roll < edge) return { kind: 'malformed' };
    const htmlFrom = edge;
    edge += f.htmlErrorRate ?? 0;
    if (roll < edge) {
      // The status comes from where the roll fell in the band, not from a second draw that would
      // shift every later request's roll.
      const band = Math.min(2, Math.floor(((roll - htmlFrom) / (edge - htmlFrom)) * 3));
      return { kind: 'html', status: ([502, 503, 504] as const)[band]! };
    }
    edge += f.stallRate ?? 0;
    if (roll < edge) return { kind: 'stall', ms: f.stallMs ?? DEFAULT_STALL_MS };
    edge += f.wrongShapeRate ?? 0;
    if (roll < edge) return { kind: 'wrong_shape' };
    return { kind: 'none' };
  }

  private applies(path: string): boolean {
    return this.faults.pathPrefix === undefined || path.startsWith(this.faults.pathPrefix);
  }
}

const GATEWAY_REASONS = {
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The HTML page a reverse proxy (nginx's wording) answers when the application behind it fails. */
export function gatewayErrorPage(status: 502 | 503 | 504): string {
  const title = `${status} ${GATEWAY_REASONS[status]}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

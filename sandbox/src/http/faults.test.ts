import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultInjector, gatewayErrorPage } from './faults.js';

describe('fault injector', () => {
  it('does nothing without faults', () => {
    const faults = new FaultInjector(1);
    assert.deepEqual(faults.decide('/customers'), { kind: 'none' });
    assert.equal(faults.latencyFor('/customers'), 0);
  });

  it('answers a burst of 429 first, then draws the configured shares', () => {
    const faults = new FaultInjector(1);
    faults.set({ rateLimitBurst: 2, errorRate: 1 });
    assert.deepEqual(
      [faults.decide('/a').kind, faults.decide('/a').kind, faults.decide('/a').kind],
      ['rate_limit', 'rate_limit', 'error'],
    );
  });

  it('draws the same sequence after every set, and roughly the requested shares', () => {
    const faults = new FaultInjector(7);
    const draw = () => {
      faults.set({ resetRate: 0.1, errorRate: 0.2, truncateRate: 0.1, malformedRate: 0.1 });
      return Array.from({ length: 2_000 }, () => faults.decide('/x').kind);
    };
    const first = draw();
    assert.deepEqual(draw(), first);
    const share = (kind: string) => first.filter((k) => k === kind).length / first.length;
    assert.ok(Math.abs(share('error') - 0.2) < 0.04);
    assert.ok(Math.abs(share('reset') - 0.1) < 0.03);
    assert.ok(Math.abs(share('none') - 0.5) < 0.05);
  });

  it('draws faults for GET only unless told otherwise; a 429 burst hits every method', () => {
    const faults = new FaultInjector(1);
    faults.set({ errorRate: 1, rateLimitBurst: 1 });
    assert.equal(faults.decide('/exports/fecs', 'POST').kind, 'rate_limit');
    assert.equal(faults.decide('/exports/fecs', 'POST').kind, 'none');
    assert.equal(faults.decide('/exports/fecs', 'GET').kind, 'error');
    faults.set({ errorRate: 1, methods: ['GET', 'POST'] });
    assert.equal(faults.decide('/exports/fecs', 'POST').kind, 'error');
  });

  it('draws the hostile kinds (HTML gateway page, stalled body, wrong shape) without shifting the older kinds', () => {
    const faults = new FaultInjector(7);
    const old = { resetRate: 0.1, errorRate: 0.2, truncateRate: 0.1, malformedRate: 0.1 };
    const draw = (f: Parameters<FaultInjector['set']>[0]) => {
      faults.set(f);
      return Array.from({ length: 2_000 }, () => faults.decide('/x'));
    };
    const before = draw(old);
    const after = draw({ ...old, htmlErrorRate: 0.1, stallRate: 0.1, stallMs: 250, wrongShapeRate: 0.1 });
    // A seed's old faults stay where they were: the new kinds only take requests that had none.
    before.forEach((b, i) => {
      if (b.kind !== 'none') assert.deepEqual(after[i], b);
    });
    const kinds = new Set(after.map((a) => a.kind));
    for (const kind of ['html', 'stall', 'wrong_shape']) assert.ok(kinds.has(kind as never), kind);
    assert.ok(after.some((a) => a.kind === 'stall' && a.ms === 250));
    const statuses = new Set(after.flatMap((a) => (a.kind === 'html' ? [a.status] : [])));
    assert.deepEqual([...statuses].sort(), [502, 503, 504]);
  });

  it('makes a nginx-like HTML page for a gateway error', () => {
    const page = gatewayErrorPage(504);
    assert.match(page, /^<html>\r\n<head><title>504 Gateway Time-out<\/title><\/head>/);
    assert.match(page, /<center>nginx<\/center>/);
  });

  it('affects only paths under pathPrefix, and rejects shares outside [0, 1]', () => {
    const faults = new FaultInjector(1);
    faults.set({ errorRate: 1, latencyMs: 50, pathPrefix: '/changelogs' });
    assert.equal(faults.decide('/customers').kind, 'none');
    assert.equal(faults.latencyFor('/customers'), 0);
    assert.equal(faults.decide('/changelogs/customers').kind, 'error');
    assert.equal(faults.latencyFor('/changelogs/customers'), 50);
    assert.throws(() => faults.set({ errorRate: 1.5 }), /errorRate/);
    assert.throws(() => faults.set({ wrongShapeRate: -0.1 }), /wrongShapeRate/);
    assert.throws(() => faults.set({ stallMs: -1 }), /stallMs/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { yearsInScope } from './fiscal-years.js';

const fy = (id: number, year: number, status: string) => ({
  id,
  start: `${year}-01-01`,
  finish: `${year}-12-31`,
  status,
});

describe('yearsInScope', () => {
  const years = [
    fy(1, 2021, 'frozen'),
    fy(2, 2022, 'closed'),
    fy(3, 2023, 'closed'),
    fy(4, 2024, 'reopen'),
    fy(5, 2025, 'open'),
  ];

  it('takes every open or reopened year plus the most recent settled ones, sorted by start', () => {
    assert.deepEqual(
      yearsInScope(years, 2, undefined).map((y) => y.id),
      [2, 3, 4, 5],
    );
    assert.deepEqual(
      yearsInScope(years, 0, undefined).map((y) => y.id),
      [4, 5],
    );
  });

  it('leaves out the years that finished before start_date', () => {
    assert.deepEqual(
      yearsInScope(years, 5, '2023-06-01').map((y) => y.id),
      [3, 4, 5],
    );
  });
});

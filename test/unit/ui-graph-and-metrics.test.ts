/**
 * Pure helpers of the web UI: the layered layout of a job graph, the subtree a failure holds
 * back, and the dispatch-skew histogram read from Prometheus text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedSubtree, layeredLayout } from '../../ui/src/lib/graph-layout.js';
import { parseHistogram, quantileBound } from '../../ui/src/lib/prometheus.js';

const after = (from: string, to: string) => ({ from, to, kind: 'after' });

test('each job sits one column right of its furthest parent, and jobs in a column do not share a row', () => {
  // d has parents in columns 0 and 1: it goes right of the furthest, in column 2.
  const edges = [after('a', 'b'), after('a', 'c'), after('b', 'd'), after('c', 'd'), after('a', 'd'), after('d', 'e')];
  const placed = layeredLayout(['e', 'd', 'c', 'b', 'a'], edges);
  assert.deepEqual(
    Object.fromEntries([...placed].map(([n, p]) => [n, p.layer])),
    { a: 0, b: 1, c: 1, d: 2, e: 3 },
  );
  const rows = [placed.get('b')!.row, placed.get('c')!.row].sort();
  assert.deepEqual(rows, [0, 1]);
  for (const e of edges) assert.ok(placed.get(e.to)!.layer > placed.get(e.from)!.layer, `${e.from} → ${e.to} points left`);
});

test('a cycle (never stored, but not trusted) still gets every job a place', () => {
  const placed = layeredLayout(['a', 'b', 'c'], [after('a', 'b'), after('b', 'c'), after('c', 'b')]);
  assert.equal(placed.size, 3);
  assert.equal(placed.get('a')!.layer, 0);
});

test('jobs without edges each get their own row in the first column', () => {
  const placed = layeredLayout(['x', 'y'], []);
  assert.deepEqual([...placed.values()].map((p) => p.layer), [0, 0]);
  assert.deepEqual([...placed.values()].map((p) => p.row).sort(), [0, 1]);
});

test('a failure holds back its blocked and waiting descendants along `after` edges, not trigger edges', () => {
  const states = new Map([
    ['extract', 'failed'],
    ['transform', 'blocked-by-failure'],
    ['load', 'blocked-by-failure'],
    ['report', 'ok'],
    ['page-oncall', 'waiting'],
  ]);
  const edges = [after('extract', 'transform'), after('transform', 'load'), after('load', 'report'), { from: 'extract', to: 'page-oncall', kind: 'onFailure' }];
  const held = failedSubtree(states, edges);
  assert.deepEqual([...held.jobs].sort(), ['load', 'transform']);
  assert.deepEqual([...held.edges].sort(), ['extract->transform:after', 'transform->load:after']);
  assert.deepEqual(held.causes.get('load'), ['extract']);
});

const METRICS = `# HELP moroccron_run_start_skew_seconds Start time minus scheduled time of each run
# TYPE moroccron_run_start_skew_seconds histogram
moroccron_run_start_skew_seconds_bucket{le="0.005"} 2
moroccron_run_start_skew_seconds_bucket{le="0.01"} 5
moroccron_run_start_skew_seconds_bucket{le="1"} 9
moroccron_run_start_skew_seconds_bucket{le="+Inf"} 10
moroccron_run_start_skew_seconds_sum 12.5
moroccron_run_start_skew_seconds_count 10
# TYPE moroccron_loop_batch_seconds histogram
moroccron_loop_batch_seconds_bucket{le="0.001"} 40
moroccron_loop_batch_seconds_bucket{le="+Inf"} 41
`;

test('a Prometheus histogram is read as counts per bucket, with its sum and count', () => {
  const histogram = parseHistogram(METRICS, 'moroccron_run_start_skew_seconds');
  assert.deepEqual(histogram, {
    buckets: [
      { le: 0.005, count: 2 },
      { le: 0.01, count: 3 },
      { le: 1, count: 4 },
      { le: Infinity, count: 1 },
    ],
    sum: 12.5,
    count: 10,
  });
  assert.equal(quantileBound(histogram!, 0.5), 0.01);
  assert.equal(quantileBound(histogram!, 0.9), 1);
  assert.equal(quantileBound(histogram!, 0.99), Infinity);
  assert.equal(parseHistogram(METRICS, 'moroccron_no_such_metric'), null);
});

test('series of one histogram with other labels are added up', () => {
  const text = ['h_bucket{member="a",le="1"} 1', 'h_bucket{le="1",member="b"} 2', 'h_bucket{member="a",le="+Inf"} 1', 'h_bucket{member="b",le="+Inf"} 4', 'h_count 5', 'h_sum 3'].join('\n');
  assert.deepEqual(parseHistogram(text, 'h')?.buckets, [
    { le: 1, count: 3 },
    { le: Infinity, count: 2 },
  ]);
});

import type { LoadResult } from './load-spec.js';

export interface Row extends LoadResult {
  readonly workload: string;
  readonly target: string;
  readonly ceiling: boolean;
  /** Bytes, summed over the target's server processes. */
  readonly peakRss: number;
}

/** One line per workload and target; wikiauth targets get their ratio to the ceiling's req/s. */
export function markdownTable(rows: readonly Row[]): string {
  const ceilings = new Map(rows.filter((row) => row.ceiling).map((row) => [row.workload, row.requestsPerSecond]));
  const lines = [
    '| workload | target | req/s | p50 ms | p99 ms | errors | peak RSS MB | ratio to ceiling |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const ceiling = ceilings.get(row.workload);
    const ratio = row.ceiling ? '1 (ceiling)' : ceiling ? (row.requestsPerSecond / ceiling).toFixed(2) : '–';
    lines.push(`| ${row.workload} | ${row.target} | ${Math.round(row.requestsPerSecond)} | ${row.p50} | ${row.p99} | ${row.errors} | ${Math.round(row.peakRss / 1048576)} | ${ratio} |`);
  }
  return lines.join('\n');
}

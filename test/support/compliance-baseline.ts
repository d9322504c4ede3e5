import * as fs from 'fs';
import * as path from 'path';

/**
 * test/compliance-baseline.json: per app (`reference`, `examples/<file>`),
 * the unacknowledged compliance errors (`<rule> @ <construct path>`) still
 * open. A finding not listed fails the check, and so does a listed one that
 * no longer occurs, so the list can only shrink.
 */
export const BASELINE_FILE = path.join(__dirname, '..', 'compliance-baseline.json');

export function baseline(app: string): string[] {
  const all = JSON.parse(fs.readFileSync(BASELINE_FILE, 'utf8')) as Record<string, string[]>;
  return all[app] ?? [];
}

export function compareWithBaseline(app: string, found: readonly string[]): { unexpected: string[]; gone: string[] } {
  const listed = new Set(baseline(app));
  const seen = new Set(found);
  return {
    unexpected: [...seen].filter((k) => !listed.has(k)).sort(),
    gone: [...listed].filter((k) => !seen.has(k)).sort(),
  };
}

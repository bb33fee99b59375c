import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Starts the test files known to be slow first, longest first (scripts/slow-tests.json).
 *
 * Without a timing cache (a fresh clone, CI after `npm ci`) vitest orders files by size, so a small
 * file that takes a minute can start last and the run ends on it alone while the other core idles.
 * Files not in the list keep vitest's own order (its cache when there is one) after the known ones.
 */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const listed = JSON.parse(readFileSync(join(root, 'scripts/slow-tests.json'), 'utf8')) as { files: [string, number][] };
    const seconds = new Map(listed.files);
    const key = (f: TestSpecification) => relative(root, f.moduleId).split('\\').join('/');
    const known = files.filter((f) => seconds.has(key(f))).sort((a, b) => seconds.get(key(b))! - seconds.get(key(a))!);
    const rest = await super.sort(files.filter((f) => !seconds.has(key(f))));
    return [...known, ...rest];
  }
}

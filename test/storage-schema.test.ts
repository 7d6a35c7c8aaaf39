/**
 * The search attributes have one definition, workflows/storage-schema.ts: temporal-dev.sh reads its
 * `defineSearchAttributeKey` lines to register them, and must read exactly what the module exports.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as storageSchema from '../workflows/storage-schema';

/** The CLI's name for each SDK search attribute type. */
const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

describe('storage schema', () => {
  it('temporal-dev.sh registers exactly the search attributes the workflow code defines', () => {
    const root = join(__dirname, '..');
    const printed = execFileSync('bash', [join(root, 'temporal-dev.sh'), 'search-attributes'], { encoding: 'utf8' });
    const attributes = Object.values(storageSchema).filter((value) => typeof value === 'object');
    const defined = attributes.map((key) => `${key.name}=${CLI_TYPE[key.type] ?? key.type}`);
    expect(defined.length).toBeGreaterThan(0);
    expect(printed.trim().split('\n').sort()).toEqual(defined.sort());
  });

  it('the operations guide names every search attribute with its type', () => {
    const guide = readFileSync(join(__dirname, '..', 'docs', 'operations.md'), 'utf8').replace(/\s+/g, ' ');
    const attributes = Object.values(storageSchema).filter((value) => typeof value === 'object');
    for (const key of attributes) expect(guide).toContain(`\`${key.name}\` (${CLI_TYPE[key.type] ?? key.type})`);
  });

  it.each([
    [
      'a type it does not know',
      (src: string) => src.replace('SearchAttributeType.DATETIME);', 'SearchAttributeType.DATE_TIME);'),
      /unknown search attribute type DATE_TIME/,
    ],
    [
      'a definition wrapped over two lines',
      (src: string) => src.replace('EVENT_TRIES = define', 'EVENT_TRIES =\n  define'),
      /read 3 of 4 search attributes/,
    ],
  ])('temporal-dev.sh stops, rather than register part of the list, on %s', (_label, edit, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'storage-schema-'));
    try {
      mkdirSync(join(dir, 'workflows'));
      copyFileSync(join(__dirname, '..', 'temporal-dev.sh'), join(dir, 'temporal-dev.sh'));
      const source = readFileSync(join(__dirname, '..', 'workflows', 'storage-schema.ts'), 'utf8');
      writeFileSync(join(dir, 'workflows', 'storage-schema.ts'), edit(source));
      const run = spawnSync('bash', [join(dir, 'temporal-dev.sh'), 'search-attributes'], { encoding: 'utf8' });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

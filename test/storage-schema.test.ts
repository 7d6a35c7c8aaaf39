/**
 * The search attributes have one definition, workflows/search-attributes.ts: temporal-dev.sh reads its
 * `defineSearchAttributeKey` lines to register them, and must read exactly what the module exports.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as attributes from '../workflows/search-attributes';

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
    const defined = Object.values(attributes).map((key) => `${key.name}=${CLI_TYPE[key.type] ?? key.type}`);
    expect(defined.length).toBeGreaterThan(0);
    expect(printed.trim().split('\n').sort()).toEqual(defined.sort());
  });
});

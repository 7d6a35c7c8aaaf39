// Lints source text as if it were a file at a given path, with the project's import rules only, and prints the
// messages as JSON. Run as a child process by test/lint-boundaries.test.ts: ESLint loads its flat config with a
// dynamic import, which Jest's module system does not serve.
//   echo '[{"file":"workflows/x.ts","code":"import ..."}]' | node test/helpers/lint-probe.mjs
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const cases = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({
  cwd: process.cwd(),
  // The probed files do not exist, so no type information: keep to the rules that hold the layers.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) =>
    ['no-restricted-imports', 'no-restricted-globals', 'no-restricted-properties', 'no-restricted-syntax'].includes(
      ruleId,
    ),
});
const results = [];
for (const { file, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: `${process.cwd()}/${file}` });
  results.push(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(results));

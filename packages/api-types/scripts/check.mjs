// CI's check that the committed OpenAPI documents and types match the services' code: regenerate
// into a temporary folder and fail, naming the files, when anything differs.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_DIR, SERVICES, generate } from "./generate.mjs";

const temp = await mkdtemp(join(tmpdir(), "api-types-"));
try {
  await generate(temp);
  const stale = [];
  for (const service of SERVICES) {
    for (const file of [join("openapi", `${service}.json`), join("src", `${service}.ts`)]) {
      const fresh = await readFile(join(temp, file), "utf8");
      const committed = await readFile(join(PACKAGE_DIR, file), "utf8").catch(() => null);
      if (committed !== fresh) stale.push(file);
    }
  }
  if (stale.length > 0) {
    console.error(
      `api-types: out of date with the services' code: ${stale.join(", ")}\n` +
        "Run `npm run generate -w @repo/api-types` and commit the result.",
    );
    process.exitCode = 1;
  } else {
    console.warn(`api-types: ${SERVICES.length * 2} files match the services' code`);
    // The plain closing line CI reads as a test count.
    console.warn(`${SERVICES.length} passed, 0 failed`);
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}

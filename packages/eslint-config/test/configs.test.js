// Each exported config must load in ESLint and lint a TypeScript file with our habits switched on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ESLint } from "eslint";

for (const name of ["base", "react-internal", "next"]) {
  test(`the ${name} config loads and applies our rules`, async () => {
    const { config } = await import(`../${name}.js`);
    const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: config });
    const [result] = await eslint.lintText("const unused: any = 1;\n", { filePath: "x.ts" });
    const rules = result.messages.map((message) => message.ruleId);
    assert.ok(rules.includes("@typescript-eslint/no-unused-vars"), rules.join(", "));
    assert.ok(rules.includes("@typescript-eslint/no-explicit-any"), rules.join(", "));
  });
}

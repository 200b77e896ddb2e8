// Every shared tsconfig must be strict and reach base.json: a package that extends one of them
// gets the same strictness as every other.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const read = (name) => JSON.parse(readFileSync(new URL(`../${name}`, import.meta.url), "utf8"));

function resolved(name) {
  const config = read(name);
  const parent = config.extends ? resolved(config.extends.replace("./", "")) : { compilerOptions: {} };
  return { compilerOptions: { ...parent.compilerOptions, ...config.compilerOptions } };
}

for (const name of ["base.json", "nextjs.json", "react-library.json"]) {
  test(`${name} is strict`, () => {
    const { compilerOptions } = resolved(name);
    assert.equal(compilerOptions.strict, true);
    assert.equal(compilerOptions.noUncheckedIndexedAccess, true);
    assert.equal(compilerOptions.noEmit, true);
  });
}

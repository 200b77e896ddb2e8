// TypeScript everywhere: ESLint's and typescript-eslint's recommended rules, plus the few habits
// we hold every package to. Each package's eslint.config.js spreads one of these arrays.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

/** @type {import("eslint").Linter.Config} */
export const ignores = {
  ignores: ["**/node_modules/**", "**/dist/**", "**/.next/**", "**/.turbo/**", "**/coverage/**"],
};

/** @type {import("eslint").Linter.Config} */
export const habits = {
  rules: {
    "@typescript-eslint/no-unused-vars": [
      "error",
      { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
    ],
    "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    "@typescript-eslint/no-explicit-any": "error",
    eqeqeq: ["error", "smart"],
    "no-console": ["error", { allow: ["warn", "error"] }],
  },
};

/** Plain JavaScript files (configs, scripts) run in Node. */
/** @type {import("eslint").Linter.Config} */
export const nodeScripts = {
  files: ["**/*.{js,mjs,cjs}"],
  languageOptions: { globals: { ...globals.node } },
};

/** @type {import("eslint").Linter.Config[]} */
export const config = [
  ignores,
  js.configs.recommended,
  ...tseslint.configs.recommended,
  habits,
  nodeScripts,
];

export default config;

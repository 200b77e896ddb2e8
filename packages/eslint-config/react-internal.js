// Presentational React packages (packages/ui): the base rules plus React's hooks rules (the
// React Compiler's checks included), with exhaustive deps as an error.
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import { config as base } from "./base.js";

/** @type {import("eslint").Linter.Config[]} */
export const config = [
  ...base,
  reactHooks.configs.flat.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
    rules: { "react-hooks/exhaustive-deps": "error" },
  },
];

export default config;

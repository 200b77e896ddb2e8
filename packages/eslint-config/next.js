// The Next.js app: Next's own flat configs (core web vitals, React, hooks, jsx-a11y, import) with
// its TypeScript rules, then our base habits on top.
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { habits, ignores } from "./base.js";

/** @type {import("eslint").Linter.Config[]} */
export const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  ignores,
  habits,
  {
    rules: {
      // Every interactive element needs a name a screen reader can read out.
      "jsx-a11y/label-has-associated-control": "error",
      "jsx-a11y/no-autofocus": "off",
    },
  },
];

export default config;

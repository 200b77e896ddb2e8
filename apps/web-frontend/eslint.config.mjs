import { config } from "@repo/eslint-config/next";

const eslintConfig = [...config, { ignores: ["next-env.d.ts"] }];

export default eslintConfig;

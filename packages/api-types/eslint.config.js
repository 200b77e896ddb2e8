import { config } from "@repo/eslint-config/base";

export default [
  // Generated: `npm test` checks them against the services instead.
  {
    ignores: [
      "src/employee.ts",
      "src/asset.ts",
      "src/invoice.ts",
      "src/dashboard.ts",
      "src/notification.ts",
    ],
  },
  ...config,
];

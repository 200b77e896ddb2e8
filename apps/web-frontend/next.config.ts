import path from "node:path";
import type { NextConfig } from "next";

// No telemetry from this app, whoever runs it (the scripts set it too, before Next starts).
process.env.NEXT_TELEMETRY_DISABLED = "1";

const monorepoRoot = path.join(__dirname, "../..");

const nextConfig: NextConfig = {
  // A self-contained server (`.next/standalone/apps/web-frontend/server.js`) for the container.
  output: "standalone",
  outputFileTracingRoot: monorepoRoot,
  turbopack: { root: monorepoRoot },
  // The workspace packages ship TypeScript sources.
  transpilePackages: ["@repo/ui", "@repo/api-types"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Nothing is fetched from another host: no remote images, no image optimizer downloads.
  images: { unoptimized: true, remotePatterns: [] },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;

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
    // The constant security headers on every answer, static files included; the proxy adds the
    // Content-Security-Policy (a nonce per page) and HSTS, which depend on the request and on the
    // running server's AUTH_URL rather than on the build's.
    // (Written out here: Next compiles this file alone and cannot load other TypeScript files.)
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          // The CSP's `frame-ancestors 'none'` says the same to browsers that read CSP.
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
          // A window this app opens, or that opens it, gets no handle on the other (no tabnabbing).
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;

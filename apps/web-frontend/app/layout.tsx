import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "TB ERP", template: "%s · TB ERP" },
  description: "Asset management, invoicing and HR",
};

/**
 * Every page is rendered per request (never prerendered at build time): the proxy's
 * Content-Security-Policy allows only scripts carrying that request's nonce, which Next.js adds
 * while rendering — a page built ahead of time would have scripts without it.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}

import "server-only";

/**
 * The web app's settings, read once from the environment. Only the server reads them: the browser
 * never learns a service URL or a secret.
 */

const SERVICE_DEFAULTS = {
  employee: "http://127.0.0.1:8001",
  asset: "http://127.0.0.1:8002",
  invoice: "http://127.0.0.1:8003",
  dashboard: "http://127.0.0.1:8004",
  notification: "http://127.0.0.1:8005",
} as const;

export type ServiceName = keyof typeof SERVICE_DEFAULTS;

const SERVICE_ENV: Record<ServiceName, string> = {
  employee: "EMPLOYEE_SERVICE_URL",
  asset: "ASSET_SERVICE_URL",
  invoice: "INVOICE_SERVICE_URL",
  dashboard: "DASHBOARD_SERVICE_URL",
  notification: "NOTIFICATION_SERVICE_URL",
};

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value.trim() : undefined;
}

/** The base URL of a service (no trailing slash). */
export function serviceUrl(service: ServiceName): string {
  const url = nonEmpty(process.env[SERVICE_ENV[service]]) ?? SERVICE_DEFAULTS[service];
  return url.replace(/\/+$/, "");
}

export const isProduction = process.env.NODE_ENV === "production";

/**
 * Where users reach this app (AUTH_URL, or NEXTAUTH_URL, the name next-auth 4 reads), or null when
 * neither is set: then links are built from the request's own host.
 */
export function appUrl(): URL | null {
  const configured = nonEmpty(process.env.AUTH_URL) ?? nonEmpty(process.env.NEXTAUTH_URL);
  return configured ? new URL(configured) : null;
}

const DEVELOPMENT_SECRET = "tb-erp-development-only-secret-do-not-use-in-production";

/**
 * The key that encrypts the session cookie: AUTH_SECRET or NEXTAUTH_SECRET. Outside production a
 * fixed development key stands in (with a warning); production refuses to run without one.
 */
export function authSecret(): string {
  const secret = nonEmpty(process.env.AUTH_SECRET) ?? nonEmpty(process.env.NEXTAUTH_SECRET);
  if (secret) return secret;
  if (isProduction) {
    throw new Error("AUTH_SECRET (or NEXTAUTH_SECRET) must be set in production");
  }
  if (!warnedAboutSecret) {
    warnedAboutSecret = true;
    console.warn("AUTH_SECRET is not set: using the development key (never do this in production)");
  }
  return DEVELOPMENT_SECRET;
}
let warnedAboutSecret = false;

/** How long a service may take to answer before we call it unavailable. */
export const SERVICE_TIMEOUT_MS = 10_000;

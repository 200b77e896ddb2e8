/**
 * A `callbackUrl` we may send the user to after signing in: a path of this app only (no scheme,
 * no `//host`, no backslash tricks), so the login page cannot be used as an open redirect.
 */
export function safeCallbackUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return undefined;
  if (value.startsWith("/login") || value.startsWith("/api/")) return undefined;
  return value;
}

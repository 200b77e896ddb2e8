/**
 * The login form's side of a refused sign-in (no server code here: the form imports it).
 * lib/auth/login-errors.ts writes the messages; next-auth carries them as `error`.
 */

/** What the form says when next-auth gives no message of ours (its own `CredentialsSignin`). */
export const SIGN_IN_FAILED = "Sign-in failed; try again";
export const SIGN_IN_UNAVAILABLE = "Sign-in is unavailable right now; try again in a moment";

/** next-auth's own error codes: they name a failure, they are no message for a person. */
const NEXT_AUTH_CODES = new Set(["CredentialsSignin", "Callback", "Configuration", "AccessDenied", "Default"]);

/** What the form shows for next-auth's `error`: our message, or a generic one for its codes. */
export function signInErrorMessage(error: string | null | undefined): string {
  if (!error || NEXT_AUTH_CODES.has(error)) return SIGN_IN_FAILED;
  return error;
}

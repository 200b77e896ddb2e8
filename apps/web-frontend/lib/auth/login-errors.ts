import { describeError, ServiceHttpError, ServiceUnavailableError } from "../services/errors";
import { SIGN_IN_UNAVAILABLE } from "./sign-in-error";

/** "45 seconds", "61 seconds", "3 minutes": a wait in seconds, in minutes (rounded up) from two. */
export function describeWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 120) return whole === 1 ? "1 second" : `${whole} seconds`;
  const minutes = Math.ceil(whole / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/**
 * The sentence the login form shows for a refused sign-in. The employee service's 429 (too many
 * failures for this email) says how long to wait, from its `Retry-After`; other refusals keep the
 * service's own message ("Invalid email or password"). It travels to the form as next-auth's
 * `error` (the credentials provider's thrown message), so it must stand on its own.
 */
export function loginRefusalMessage(error: unknown): string | null {
  if (error instanceof ServiceHttpError) {
    if (error.status === 429) {
      return error.retryAfterSeconds !== null
        ? `Too many failed sign-ins for this email. Wait ${describeWait(error.retryAfterSeconds)} before trying again.`
        : describeError(error.body);
    }
    return describeError(error.body);
  }
  if (error instanceof ServiceUnavailableError) return SIGN_IN_UNAVAILABLE;
  return null;
}

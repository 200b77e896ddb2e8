import { ErrorState } from "@repo/ui";
import { redirect } from "next/navigation";
import { LOGIN_EXPIRED } from "@/lib/auth/session";
import {
  describeError,
  isServiceError,
  ServiceHttpError,
  toErrorAnswer,
} from "@/lib/services/errors";

/**
 * A server page's service failure as the page shows it: the service's own message and code,
 * never a blank page. A 401 means the service token is no longer valid: sign in again.
 */
export function ServiceErrorState({ error, title }: { error: unknown; title?: string }) {
  if (error instanceof ServiceHttpError && error.status === 401) redirect(LOGIN_EXPIRED);
  if (!isServiceError(error)) throw error;
  const { body } = toErrorAnswer(error);
  return <ErrorState title={title} message={describeError(body)} code={body.code} />;
}

/** What a user sees on an area their roles do not open. */
export function Forbidden() {
  return (
    <ErrorState
      title="Not available to you"
      message="Your roles do not give access to this page."
      code="forbidden"
    />
  );
}

"use client";

import { Button, Field } from "@repo/ui";
import { signIn } from "next-auth/react";
import { SIGN_IN_UNAVAILABLE, signInErrorMessage } from "@/lib/auth/sign-in-error";
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";

export function LoginForm({ callbackUrl }: { callbackUrl: string | undefined }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; password?: string }>({});
  const emailRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const missing = {
      email: email ? undefined : "Enter your email",
      password: password ? undefined : "Enter your password",
    };
    setFieldErrors(missing);
    setError(null);
    if (missing.email || missing.password) return;

    setPending(true);
    try {
      const result = await signIn("credentials", { email, password, redirect: false });
      if (!result || result.error) {
        // Our message ("Invalid email or password"; after too many failures, how long to wait).
        setError(signInErrorMessage(result?.error));
        emailRef.current?.focus();
        return;
      }
      router.replace(callbackUrl ?? "/");
      router.refresh();
    } catch {
      setError(SIGN_IN_UNAVAILABLE);
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-col gap-4" aria-label="Sign in">
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <Field
        ref={emailRef}
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        autoFocus
        error={fieldErrors.email}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={fieldErrors.password}
      />
      <Button type="submit" loading={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}

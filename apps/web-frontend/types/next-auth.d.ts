import type { DefaultSession } from "next-auth";

/** Who is signed in, as the browser may see it: never the service token. */
export interface SessionUser {
  id: string;
  employeeId: number | null;
  email: string;
  roles: string[];
}

declare module "next-auth" {
  interface Session {
    user: SessionUser;
    /** Set when the service token expired: the user must sign in again. */
    error?: "SessionExpired";
    expires: DefaultSession["expires"];
  }

  /** What the Credentials provider's authorize() returns: the user and their service token. */
  interface User {
    id: string;
    employeeId: number | null;
    email: string;
    roles: string[];
    accessToken: string;
    /** Epoch milliseconds after which the service token is no longer used. */
    accessTokenExpires: number;
  }
}

declare module "next-auth/jwt" {
  /** The encrypted session cookie's content: server-side only. */
  interface JWT {
    employeeId?: number | null;
    roles?: string[];
    accessToken?: string;
    accessTokenExpires?: number;
  }
}

import { redirect } from "next/navigation";
import { startPage } from "@/lib/auth/roles";
import { getSession, LOGIN_EXPIRED } from "@/lib/auth/session";

/** `/`: the user's start page when signed in, else the login page. */
export default async function Home() {
  const session = await getSession();
  if (!session) redirect("/login");
  if (session.expired) redirect(LOGIN_EXPIRED);
  redirect(startPage(session.user.roles));
}

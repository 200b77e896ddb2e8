import type { NextRequest } from "next/server";
import { pathIdOf, type RouteParams } from "@/app/api/employees/path-params";
import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { notificationService } from "@/lib/services/notification";

/** `GET /api/notifications/{id}`: one notification, what it says and how sending it went. */
export function GET(request: NextRequest, { params }: RouteParams<"id">) {
  return apiRoute({}, async ({ context }) => {
    const path = await pathIdOf(params);
    if (!path.ok) return path.answer;
    return json(await notificationService.get(path.id, context));
  })(request);
}

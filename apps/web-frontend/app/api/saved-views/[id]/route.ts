import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { errorAnswer, json } from "@/lib/api/respond";
import { savedViewService, viewInputSchema } from "@/lib/services/saved-views";

type Params = { params: Promise<{ id: string }> };

const idSchema = z.coerce.number().int().min(1).max(2_147_483_647);

async function viewId({ params }: Params): Promise<number | null> {
  const parsed = idSchema.safeParse((await params).id);
  return parsed.success ? parsed.data : null;
}

const notFound = () => errorAnswer(404, { detail: "Saved view not found", code: "saved_view_not_found" });

/** `PUT /api/saved-views/{id}`: renames or overwrites one of the user's views. */
export async function PUT(request: NextRequest, route: Params) {
  const id = await viewId(route);
  return apiRoute({ body: viewInputSchema }, async ({ body, context }) =>
    id === null ? notFound() : json(await savedViewService.replace(id, body, context)),
  )(request);
}

/** `DELETE /api/saved-views/{id}`: removes one of the user's views. */
export async function DELETE(request: NextRequest, route: Params) {
  const id = await viewId(route);
  return apiRoute({}, async ({ context }) => {
    if (id === null) return notFound();
    await savedViewService.remove(id, context);
    return new NextResponse(null, { status: 204 });
  })(request);
}

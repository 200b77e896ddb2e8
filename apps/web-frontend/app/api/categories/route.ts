import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { assetService } from "@/lib/services/asset";

/** `GET /api/categories`: the asset categories (up to 200, by name), for filters and forms. */
export const GET = apiRoute({}, async ({ context }) => json(await assetService.categories(context)));

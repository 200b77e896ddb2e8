import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { assetsQuerySchema } from "@/lib/assets-query";
import { listAssetsWithOwners } from "@/lib/compose/assets";

/**
 * `GET /api/assets?q=&status=&category_id=&assigned_employee_id=&sort=&limit=&offset=&cursor=`:
 * a page of the asset service's list, each asset with `assigned_employee: {id, name, unavailable}`
 * and `partial: true` when the employee service could not name the owners.
 */
export const GET = apiRoute({ query: assetsQuerySchema }, async ({ query, context }) =>
  json(await listAssetsWithOwners(query, context)),
);

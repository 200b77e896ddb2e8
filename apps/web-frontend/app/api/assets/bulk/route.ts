import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { bulkBodySchema } from "@/lib/assets-query";
import { assetService } from "@/lib/services/asset";

/**
 * `POST /api/assets/bulk` `{action: assign|return|set_status|set_category, ids, employee_id?,
 * status?, category_id?, note?, reason?}` → the asset service's `POST /api/v1/assets/bulk`.
 * All or nothing: 200 with every row; a 409 `bulk_rejected` is passed on whole, with `results`
 * telling each failing row's status, code and reason (nothing was changed).
 */
export const POST = apiRoute({ body: bulkBodySchema }, async ({ body, context }) =>
  json(await assetService.bulk(body, context)),
);

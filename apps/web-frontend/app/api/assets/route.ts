import { apiRoute } from "@/lib/api/handler";
import { json } from "@/lib/api/respond";
import { assetCreateBodySchema, assetsQuerySchema } from "@/lib/assets-query";
import { listAssetsWithOwners } from "@/lib/compose/assets";
import { answerKeeper } from "@/lib/compose/kept";
import { assetService } from "@/lib/services/asset";

/**
 * `GET /api/assets?q=&status=&category_id=&assigned_employee_id=&location=&serial_number=&currency=
 * &purchased_from=&purchased_to=&cost_min=&cost_max=&ids=&sort=&limit=&offset=&cursor=`: a page of
 * the asset service's list, each asset with `assigned_employee: {id, name, unavailable}` and
 * `partial: true` when the employee service could not name the owners.
 *
 * A user's page is kept (lib/compose/kept.ts) while the assets and the employees are unchanged
 * (their generations in Redis) and their token holds: asked again, it is answered without calling
 * the services (`X-Cache: hit`). A partial page is not kept; `Cache-Control: no-cache` composes it.
 */
export const GET = apiRoute({ query: assetsQuerySchema }, async ({ request, query, context }) =>
  answerKeeper().answer({
    request,
    context,
    route: "GET /api/assets",
    query,
    depends: ["assets", "employees"],
    compose: () => listAssetsWithOwners(query, context),
    keep: (page) => !page.partial,
  }),
);

/** `POST /api/assets`: a new asset (the service's AssetCreate); 201 with the asset. */
export const POST = apiRoute({ body: assetCreateBodySchema }, async ({ body, context }) =>
  json(await assetService.create(body as Parameters<typeof assetService.create>[0], context), 201),
);

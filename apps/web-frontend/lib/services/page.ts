import { z } from "zod";

/** The services' one paging shape. `total` is absent on keyset (cursor) pages. */
export function pageSchema<TItem extends z.ZodType>(item: TItem) {
  return z.object({
    items: z.array(item),
    total: z.number().int().nullable().optional(),
    // The service estimated `total`: more rows than it counts one by one.
    total_is_estimate: z.boolean().optional(),
    limit: z.number().int(),
    offset: z.number().int().nullable().optional(),
    next_cursor: z.string().nullable().optional(),
  });
}

export interface Page<TItem> {
  items: TItem[];
  total?: number | null;
  total_is_estimate?: boolean;
  limit: number;
  offset?: number | null;
  next_cursor?: string | null;
}

import { z } from "zod";
import { idSchema } from "@/lib/api/path";
import { DEFAULT_PAGE_SIZE, EMPLOYEE_SORT_VALUES, EMPLOYEE_STATUS_VALUES } from "@/lib/employees-query";

/** The /departments page's URL: the department shown, and its employees' filter, sort and page. */
export const departmentsViewSchema = z.object({
  department: idSchema.optional(),
  status: z.enum(EMPLOYEE_STATUS_VALUES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(DEFAULT_PAGE_SIZE),
  offset: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
  sort: z
    .string()
    .refine((value) => (EMPLOYEE_SORT_VALUES as readonly string[]).includes(value.replace(/^-/, "")))
    .optional(),
});

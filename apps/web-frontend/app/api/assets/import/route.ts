import { apiRoute } from "@/lib/api/handler";
import { errorAnswer, json } from "@/lib/api/respond";
import { assetService } from "@/lib/services/asset";

/** The asset service reads at most 5 MB; a little more lets it say so in its own words. */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024 + 64 * 1024;

function invalidFile(msg: string) {
  return errorAnswer(422, {
    detail: [{ loc: ["body", "file"], field: "file", msg, type: "invalid_csv" }],
    code: "validation_error",
  });
}

/**
 * `POST /api/assets/import`: a CSV as `multipart/form-data` (field `file`, as the asset service
 * takes it) or as the raw body (`text/csv`) → the asset service's `POST /api/v1/assets/import`.
 * 201 `{imported, ids}`; its 422 `invalid_csv` is passed on whole: `detail` names each failing row
 * (`row 3, purchase_cost: …`), `errors` lists `{row, field, message}`.
 */
export const POST = apiRoute({}, async ({ request, context }) => {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_UPLOAD_BYTES) return invalidFile("The file is larger than 5 MB");
  const type = request.headers.get("content-type") ?? "";
  let form: FormData;
  if (type.startsWith("multipart/form-data")) {
    let received: FormData;
    try {
      received = await request.formData();
    } catch {
      return invalidFile("The upload could not be read; choose the file again");
    }
    const file = received.get("file");
    if (!(file instanceof Blob)) return invalidFile("Choose a CSV file");
    if (file.size > MAX_UPLOAD_BYTES) return invalidFile("The file is larger than 5 MB");
    form = new FormData();
    form.set("file", file, file instanceof File && file.name ? file.name : "assets.csv");
  } else if (type.startsWith("text/csv") || type.startsWith("text/plain")) {
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > MAX_UPLOAD_BYTES) return invalidFile("The file is larger than 5 MB");
    form = new FormData();
    form.set("file", new Blob([bytes], { type: "text/csv" }), "assets.csv");
  } else {
    return invalidFile("Send the CSV as multipart/form-data (field file) or text/csv");
  }
  return json(await assetService.importCsv(form, context), 201);
});

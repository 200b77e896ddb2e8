import { z } from "zod";

// Runs in the browser before the app's code. zod compiles object parsers with `new Function`
// unless told not to; its probe for that is a blocked `eval` under the pages'
// Content-Security-Policy (no 'unsafe-eval' in production), reported as a violation each time.
z.config({ jitless: true });

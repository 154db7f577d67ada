import { z } from "@hono/zod-openapi";
import { keyProblem, valueProblem } from "../../config-vars/validate.js";
import { DeployView } from "./apps.js";
import { ConfigKey } from "./ids.js";

/** Config vars: names are shown everywhere, values only to deployers and admins. */

/**
 * KEY → value, each checked by the config var rules (src/config-vars/validate.ts);
 * the messages name keys, never values.
 */
export const ConfigSet = z.record(z.string(), z.string()).superRefine((set, ctx) => {
  for (const [k, v] of Object.entries(set)) {
    const p = keyProblem(k) ?? valueProblem(k, v);
    if (p)
      ctx.addIssue({
        code: "custom",
        path: [k],
        message: p.message,
        params: { code: "invalid_request", hint: p.hint },
      });
  }
});

export const ConfigVars = z
  .record(z.string(), z.string())
  .openapi("ConfigVars", { description: "KEY → value", example: { DATABASE_URL: "postgres://db/app" } });

export const MaskedConfigVars = z
  .record(z.string(), z.string().nullable())
  .openapi("MaskedConfigVars", { description: "KEY → value; null for every value when the caller is a viewer" });

export const ConfigChange = z
  .strictObject({
    set: ConfigSet.optional().openapi({ description: "KEY → value to set" }),
    unset: z.array(ConfigKey).max(10000).optional().openapi({ description: "names to unset" }),
    restart: z.boolean().optional().openapi({ description: "deploy a new release of the live image (default true)" }),
  })
  .openapi("ConfigChange");

export const ConfigChanged = z
  .strictObject({ config: ConfigVars, deploy: DeployView.nullable() })
  .openapi("ConfigChanged");

export const ReviewConfigChange = z
  .strictObject({ set: ConfigSet.optional(), unset: z.array(ConfigKey).max(10000).optional() })
  .openapi("ReviewConfigChange");

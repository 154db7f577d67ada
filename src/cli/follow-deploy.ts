import type { DeployView } from "../api/contract.js";
import { CODES } from "../errors/codes.js";
import { apiPath, CliError, type Api } from "./api-client.js";
import type { CliContext } from "./commands/context.js";

const TERMINAL = new Set<DeployView["status"]>(["succeeded", "failed", "superseded"]);

/**
 * Streams a deploy's log to stdout as it happens, then returns the finished
 * deploy; a failed one becomes the error main/cli.ts prints (exit 1). A
 * deploy superseded by a newer one (which carries its changes) is followed
 * through that one.
 */
export async function followDeploy(ctx: CliContext, api: Api, started: DeployView, pollMs = 1000): Promise<DeployView> {
  let current = started;
  for (;;) {
    const d = await followOne(ctx, api, current, pollMs);
    if (d.status !== "superseded" || d.supersededBy === null) {
      if (d.status !== "succeeded") throw deployError(d);
      return d;
    }
    ctx.out(`Deploy #${d.id} was superseded by deploy #${d.supersededBy}, which carries its changes: following it\n`);
    current = { ...d, id: d.supersededBy };
  }
}

async function followOne(ctx: CliContext, api: Api, started: DeployView, pollMs: number): Promise<DeployView> {
  const path = (...rest: string[]) => apiPath("apps", started.app, "deploys", String(started.id), ...rest);
  for await (const line of api.lines(path("log") + "?follow=1")) ctx.out(line + "\n");
  // The log stream ends with the deploy; if the connection dropped first, ask until the deploy is over.
  for (;;) {
    const d = await api.json<DeployView>("GET", path());
    if (TERMINAL.has(d.status)) return d;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Turns a failed deploy into the one error main/cli.ts prints, with the container log when there is one. */
export function deployError(d: DeployView): CliError {
  const failedStep = d.steps.find((s) => s.status === "failed");
  const message = [
    `Deploy #${d.id} of ${d.app} failed${failedStep ? ` at step '${failedStep.name}'` : ""}: ${d.reason ?? "no reason given"}`,
  ];
  if (d.containerLog) message.push("", "Container log:", d.containerLog.trimEnd());
  // the server's stable code; an older server without one: deploy_failed
  const code = d.errorCode && d.errorCode in CODES ? (d.errorCode as keyof typeof CODES) : "deploy_failed";
  return new CliError(code, message.join("\n"), CODES[code].hint);
}

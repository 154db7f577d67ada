import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { CertsView } from "../../certs/views.js";
import { apiPath, usageError } from "../api-client.js";
import { relativeTime, renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

/** Heroku's names: certs, certs:auto:enable|disable, certs:add, certs:remove; and domains:redirect-https, domains:hsts. */

const day = (iso: string) => iso.slice(0, 10);

export function renderCerts(v: CertsView, now: Date): string {
  const head = [
    `${v.app}: automatic certificates ${!v.https ? "(HTTPS listener off)" : !v.acme ? "(no ACME directory on the server)" : v.auto ? "on" : "off"}, redirect to HTTPS ${v.redirectHttps ? "on" : "off"}, HSTS ${v.hstsMaxAge === null ? "off" : `max-age=${v.hstsMaxAge}`}`,
    "",
  ].join("\n");
  const rows = v.hostnames.map((h) => [
    h.hostname,
    h.status,
    h.certificate ? (h.certificate.source === "acme" ? "auto" : "uploaded") : "-",
    h.certificate?.issuer ?? "-",
    h.certificate ? `${day(h.certificate.notAfter)} (${relativeTime(h.certificate.notAfter, now)})` : "-",
    h.lastAttempt
      ? `${h.lastAttempt.ok ? "ok" : h.lastAttempt.ok === null ? "running" : "failed"} ${relativeTime(h.lastAttempt.at, now)}`
      : "-",
  ]);
  const notes = v.hostnames
    .filter((h) => h.note || (h.lastAttempt && h.lastAttempt.ok === false))
    .map(
      (h) =>
        `${h.hostname}: ${h.note ?? h.lastAttempt!.message}${h.nextAttemptAt ? ` (next attempt ${relativeTime(h.nextAttemptAt, now)})` : ""}`,
    );
  return (
    head +
    renderTable(["hostname", "status", "certificate", "issuer", "expires", "last renewal"], rows) +
    (notes.length ? `\n${notes.join("\n")}\n` : "")
  );
}

function onOff(value: string): boolean {
  if (value === "on") return true;
  if (value === "off") return false;
  throw usageError(`expected on or off, got ${JSON.stringify(value)}`, "Example: yk domains:redirect-https -a APP off");
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw usageError(
      `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      "Pass the paths of the PEM files: yk certs:add -a APP CERT.pem KEY.pem",
    );
  }
}

export function registerCerts(program: Command, ctx: CliContext): void {
  program
    .command("certs")
    .description("an app's hostnames with their certificate: issuer, expiry, automatic or uploaded, last renewal")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const v = await ctx.api().json<CertsView>("GET", apiPath("apps", opts.app, "certs"));
      ctx.out(opts.json ? renderJson(v) : renderCerts(v, ctx.now()));
    });

  for (const [name, auto] of [
    ["certs:auto:enable", true],
    ["certs:auto:disable", false],
  ] as const) {
    program
      .command(name)
      .description(
        auto
          ? "order and renew certificates automatically (ACME) for the app's hostnames"
          : "stop ordering certificates automatically for the app (certificates already issued are kept until they expire)",
      )
      .addOption(appOption())
      .action(async (opts: { app: string }) => {
        await ctx.api().json("PATCH", apiPath("apps", opts.app, "tls"), { auto });
        ctx.out(
          `Automatic certificates ${auto ? "enabled" : "disabled"} for ${opts.app}.${auto ? " 'yk certs' shows their progress." : ""}\n`,
        );
      });
  }

  program
    .command("certs:add")
    .description(
      "add a certificate the team brings (chain included; wildcards allowed): its hostnames are read from it",
    )
    .addOption(appOption())
    .argument("<cert>", "PEM file: the certificate, then its chain")
    .argument("<key>", "PEM file: its private key, unencrypted")
    .action(async (cert: string, key: string, opts: { app: string }) => {
      const c = await ctx.api().json<CertsView["uploaded"][number]>("POST", apiPath("apps", opts.app, "certs"), {
        certificate: readPem(cert, "certificate"),
        privateKey: readPem(key, "private key"),
      });
      ctx.out(
        `Added the certificate for ${c.names.join(", ")} to ${opts.app} (issuer ${c.issuer}, expires ${day(c.notAfter)}).\n`,
      );
    });

  program
    .command("certs:remove")
    .description("remove the uploaded certificate serving a hostname (or its automatic one)")
    .addOption(appOption())
    .argument("<host>", "hostname")
    .action(async (host: string, opts: { app: string }) => {
      const r = await ctx
        .api()
        .json<{ removed: string[]; reissue: boolean }>("DELETE", apiPath("apps", opts.app, "certs", host));
      ctx.out(
        `Removed ${r.removed.join("; ")}.${r.reissue ? ` ${host} gets an automatic certificate again (yk certs:auto:disable -a ${opts.app} to stop that).` : ""}\n`,
      );
    });

  program
    .command("certs:attempts")
    .description("every kept ACME attempt of the app's hostnames, newest first")
    .addOption(appOption())
    .addOption(jsonOption())
    .option("--host <hostname>", "only this hostname")
    .action(async (opts: { app: string; json?: boolean; host?: string }) => {
      const q = opts.host ? `?hostname=${encodeURIComponent(opts.host)}` : "";
      const list = await ctx
        .api()
        .json<
          { hostname: string; kind: string; startedAt: string; ok: boolean | null; ordered: boolean; message: string }[]
        >("GET", `${apiPath("apps", opts.app, "certs", "attempts")}${q}`);
      if (opts.json) return ctx.out(renderJson(list));
      if (list.length === 0) return ctx.out(`No certificate attempts for ${opts.app}.\n`);
      ctx.out(
        renderTable(
          ["when", "hostname", "kind", "result", "order placed", "message"],
          list.map((a) => [
            relativeTime(a.startedAt, ctx.now()),
            a.hostname,
            a.kind,
            a.ok === null ? "running" : a.ok ? "ok" : "failed",
            a.ordered ? "yes" : "no",
            a.message,
          ]),
        ),
      );
    });

  program
    .command("domains:redirect-https")
    .description("redirect HTTP to HTTPS (308) for the app's hostnames that have a certificate: on (default) or off")
    .addOption(appOption())
    .argument("<on|off>", "on or off")
    .action(async (value: string, opts: { app: string }) => {
      const on = onOff(value);
      await ctx.api().json("PATCH", apiPath("apps", opts.app, "tls"), { redirectHttps: on });
      ctx.out(`HTTP to HTTPS redirect ${on ? "on" : "off"} for ${opts.app}.\n`);
    });

  program
    .command("domains:hsts")
    .description("send Strict-Transport-Security with this max-age on the app's HTTPS responses, or off")
    .addOption(appOption())
    .argument("<max-age|off>", "seconds (e.g. 31536000 for a year), or off")
    .action(async (value: string, opts: { app: string }) => {
      const maxAge = value === "off" ? null : Number(value);
      if (maxAge !== null && (!/^\d+$/.test(value) || !Number.isSafeInteger(maxAge)))
        throw usageError(
          `expected a number of seconds or off, got ${JSON.stringify(value)}`,
          "Example: yk domains:hsts -a APP 31536000",
        );
      await ctx.api().json("PATCH", apiPath("apps", opts.app, "tls"), { hstsMaxAge: maxAge });
      ctx.out(
        maxAge === null ? `HSTS off for ${opts.app}.\n` : `HSTS max-age=${maxAge} for ${opts.app}'s HTTPS responses.\n`,
      );
    });
}

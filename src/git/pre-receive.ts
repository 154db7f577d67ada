/**
 * The pre-receive hook of every app repository (run by git-receive-pack, under
 * git http-backend, spawned by the Yadokari server). For each pushed branch it
 * sends `git archive` of the new commit to the builds API and streams the
 * build and deploy log back; git shows it as `remote:` lines. A failed deploy
 * exits non-zero, so the push is rejected and the branch does not move.
 * Configuration comes from the environment the server set: YADOKARI_HOOK_URL,
 * YADOKARI_HOOK_TOKEN, YADOKARI_HOOK_APP.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import { createInterface } from "node:readline";

const ZERO = /^0{40}$/;
const api = process.env.YADOKARI_HOOK_URL ?? "";
const token = process.env.YADOKARI_HOOK_TOKEN ?? "";
const app = process.env.YADOKARI_HOOK_APP ?? "";

function request(
  method: string,
  path: string,
  body?: NodeJS.ReadableStream,
  contentType?: string,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, api),
      {
        method,
        headers: { authorization: `Bearer ${token}`, ...(contentType ? { "content-type": contentType } : {}) },
      },
      resolve,
    );
    req.on("error", reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function readJson(res: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function deploy(sha: string, ref: string): Promise<boolean> {
  const archive = spawn("git", ["archive", "--format=tar", sha], { stdio: ["ignore", "pipe", "inherit"] });
  const res = await request(
    "POST",
    `/api/v1/apps/${app}/builds?commit=${sha}&ref=${encodeURIComponent(ref)}`,
    archive.stdout,
    "application/x-tar",
  );
  const created = await readJson(res);
  if (res.statusCode !== 202) {
    process.stdout.write(`!      ${created?.error?.message ?? `the server answered ${res.statusCode}`}\n`);
    return false;
  }
  // a deploy superseded by a newer one (which carries its changes) is followed through that one
  for (let id = created.id; ;) {
    const log = await request("GET", `/api/v1/apps/${app}/deploys/${id}/log?follow=1`);
    for await (const chunk of log) process.stdout.write(chunk as Buffer);
    const final = await readJson(await request("GET", `/api/v1/apps/${app}/deploys/${id}`));
    if (final.status !== "superseded" || !final.supersededBy) return final.status === "succeeded";
    id = final.supersededBy;
  }
}

async function main(): Promise<number> {
  let ok = true;
  for await (const line of createInterface({ input: process.stdin })) {
    const [, sha, ref] = line.trim().split(/\s+/);
    if (!sha || !ref || ZERO.test(sha)) continue; // a deleted branch deploys nothing
    if (!ref.startsWith("refs/heads/")) continue;
    process.stdout.write(`-----> Deploying ${ref.slice("refs/heads/".length)} (${sha.slice(0, 7)}) to ${app}\n`);
    ok = (await deploy(sha, ref)) && ok;
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stdout.write(`!      push hook failed: ${(e as Error).message}\n`);
    process.exit(1);
  },
);

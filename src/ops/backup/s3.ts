import http from "node:http";
import https from "node:https";
import { createReadStream, statSync } from "node:fs";
import aws4 from "aws4";
import { AppError } from "../../errors/app-error.js";

/** s3://bucket/prefix, and where and as whom to reach it (the server's environment). */
export interface S3Target {
  bucket: string;
  /** key prefix without a leading slash; may be empty */
  prefix: string;
  endpoint: URL;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Where and as whom s3:// targets are reached: YADOKARI_S3_ENDPOINT, YADOKARI_S3_REGION and AWS_* (src/main/settings.ts). */
export interface S3Settings {
  /** empty: AWS's regional endpoint */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** empty: none */
  sessionToken: string;
}

/**
 * `s3://bucket/prefix` with the endpoint (default AWS's regional one), the
 * region and the credentials of the settings. Path-style requests, so any
 * S3-compatible store works.
 */
export function parseS3Target(url: string, s3: S3Settings): S3Target {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  const bad = (why: string) => new AppError("invalid_backup_target", `${url}: ${why}`);
  if (!m) throw bad("not an s3://BUCKET/PREFIX URL");
  const [, bucket, rawPrefix] = m;
  if (!BUCKET.test(bucket)) throw bad("the bucket name is not a valid S3 bucket name");
  const prefix = rawPrefix.replace(/\/+$/, "");
  if (prefix.length > 512 || /[\x00-\x1f\\]|(^|\/)\.\.?(\/|$)/.test(prefix))
    throw bad("the key prefix has unsafe characters");
  const region = s3.region || "us-east-1";
  if (!/^[a-z0-9-]{2,32}$/.test(region)) throw bad(`the region ${region} is not a region name`);
  let endpoint: URL;
  try {
    endpoint = new URL(s3.endpoint || `https://s3.${region}.amazonaws.com`);
  } catch {
    throw bad("YADOKARI_S3_ENDPOINT is not a URL");
  }
  if (endpoint.protocol !== "https:" && endpoint.protocol !== "http:") throw bad("the S3 endpoint must be http(s)://");
  if (!s3.accessKeyId || !s3.secretAccessKey)
    throw bad("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set in the server's environment");
  return {
    bucket,
    prefix,
    endpoint,
    region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    ...(s3.sessionToken ? { sessionToken: s3.sessionToken } : {}),
  };
}

const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string | number>;
}

/** A SigV4-signed request (aws4), path-style. Pure apart from the clock aws4 reads. */
export function signS3(
  t: S3Target,
  method: string,
  key: string | null,
  query = "",
  headers: Record<string, string | number> = {},
): SignedRequest & { host: string } {
  const path = `/${t.bucket}${key === null ? "" : `/${encodeKey(key)}`}${query ? `?${query}` : ""}`;
  const opts = {
    host: t.endpoint.host,
    path,
    method,
    service: "s3",
    region: t.region,
    headers: { "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD", ...headers },
  };
  aws4.sign(opts, {
    accessKeyId: t.accessKeyId,
    secretAccessKey: t.secretAccessKey,
    ...(t.sessionToken ? { sessionToken: t.sessionToken } : {}),
  });
  return opts as SignedRequest & { host: string };
}

function send(
  t: S3Target,
  req: SignedRequest,
  body?: NodeJS.ReadableStream,
): Promise<{ status: number; text: string }> {
  const lib = t.endpoint.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const r = lib.request(
      {
        protocol: t.endpoint.protocol,
        hostname: t.endpoint.hostname,
        port: t.endpoint.port || undefined,
        method: req.method,
        path: req.path,
        headers: req.headers,
        timeout: 60_000,
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += text.length < 65536 ? d.toString("utf8") : ""));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    r.on("timeout", () => r.destroy(new Error("no answer within 60 s")));
    r.on("error", reject);
    if (body) body.pipe(r);
    else r.end();
  });
}

const failed = (what: string, r: { status: number; text: string }) =>
  new AppError(
    "backup_failed",
    `S3 ${what} answered ${r.status}: ${(/<Message>([^<]*)<\/Message>/.exec(r.text)?.[1] ?? r.text).slice(0, 300)}`,
  );

/** PUT of a file (a single request: up to 5 GB, S3's limit for one PUT). */
export async function s3Put(t: S3Target, key: string, file: string): Promise<void> {
  const size = statSync(file).size;
  const req = signS3(t, "PUT", key, "", { "Content-Length": size, "Content-Type": "application/octet-stream" });
  const r = await send(t, req, createReadStream(file)).catch((e: Error) => {
    throw new AppError("backup_failed", `S3 upload to ${t.endpoint.host}: ${e.message}`);
  });
  if (r.status !== 200) throw failed(`PUT ${key}`, r);
}

/** Keys under a prefix (ListObjectsV2, every page). */
export async function s3List(t: S3Target, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const q = [
      ...(token ? [`continuation-token=${encodeURIComponent(token)}`] : []),
      "list-type=2",
      `prefix=${encodeURIComponent(prefix)}`,
    ].join("&");
    const r = await send(t, signS3(t, "GET", null, q));
    if (r.status !== 200) throw failed(`list ${prefix}`, r);
    for (const m of r.text.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unxml(m[1]));
    token = /<IsTruncated>true<\/IsTruncated>/.test(r.text)
      ? unxml(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(r.text)?.[1] ?? "")
      : null;
    if (!token) break;
  }
  return keys;
}

export async function s3Delete(t: S3Target, key: string): Promise<void> {
  const r = await send(t, signS3(t, "DELETE", key));
  if (r.status !== 204 && r.status !== 200) throw failed(`DELETE ${key}`, r);
}

export async function s3Get(t: S3Target, key: string): Promise<http.IncomingMessage> {
  const req = signS3(t, "GET", key);
  const lib = t.endpoint.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const r = lib.request(
      {
        hostname: t.endpoint.hostname,
        port: t.endpoint.port || undefined,
        method: "GET",
        path: req.path,
        headers: req.headers,
      },
      (res) =>
        res.statusCode === 200
          ? resolve(res)
          : reject(new AppError("bad_backup", `S3 GET ${key} answered ${res.statusCode}`)),
    );
    r.on("error", reject);
    r.end();
  });
}

const unxml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

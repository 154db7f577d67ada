import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, appContainers, docker, uniqueApp } from "../helpers/yadokari.js";
import { waitFor } from "../helpers/http.js";
import { run } from "../../src/lib/run.js";

/**
 * `yk run` and `yk storage` end to end: the real CLI against a real server,
 * containers in dockerd. Detached runs are kept 2 s after they exit here
 * (YADOKARI_RUN_GRACE_SEC) and swept every 0.5 s.
 */

let s: TestServer;
let work: string;
let storageRoot: string;
let env: NodeJS.ProcessEnv;
const app = uniqueApp("it-run");
const bare = uniqueApp("it-run-new");
const volume = `${app}-vol`;
const CLI = join(ROOT, "dist/src/main/cli.js");
const pwned = join(tmpdir(), `yk-pwned-${process.pid}`);

const yk = (args: string[], input?: string) => run(process.execPath, [CLI, ...args], { env, input, timeoutMs: 60000 });
const runContainers = async () => (await appContainers(app)).filter((c) => c.Labels["yadokari.process"] === "run");

before(async () => {
  work = mkdtempSync(join(tmpdir(), "yk-it-run-"));
  storageRoot = mkdtempSync(join(tmpdir(), "yk-storage-"));
  s = await TestServer.start({
    env: {
      YADOKARI_STORAGE_ROOTS: `/nonexistent-root:${storageRoot}`,
      YADOKARI_RUN_GRACE_SEC: "2",
      YADOKARI_RUN_SWEEP_MS: "500",
    },
  });
  env = { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: s.token, YADOKARI_CONFIG: join(work, "cli.json") };
  await s.createApp(app);
  await s.createApp(bare);
  const d = await s.deploy(app, join(FIXTURES, "good"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
});
after(async () => {
  await s?.close();
  await docker
    .getVolume(volume)
    .remove()
    .catch(() => {});
  rmSync(work, { recursive: true, force: true });
  rmSync(storageRoot, { recursive: true, force: true });
  rmSync(pwned, { force: true });
});

test("yk run streams stdout and stderr apart and exits with the container's exit code", async () => {
  const r = await yk(["run", "-a", app, "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, "out\n");
  assert.equal(r.stderr, "err\n");
  const ok = await yk(["run", "-a", app, "--", "true"]);
  assert.equal(ok.code, 0, ok.stderr);
});

test("the container is of the live release, with its config", async () => {
  const r = await yk([
    "run",
    "-a",
    app,
    "--",
    "node",
    "-e",
    "console.log(process.env.YADOKARI_RELEASE, process.env.YADOKARI_PROCESS)",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "v1 run\n");
});

test("stdin is forwarded and its end reaches the container as EOF", async () => {
  const r = await yk(["run", "-a", app, "--", "cat"], "hello");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "hello");
  const big = "x".repeat(200_000) + "\n";
  const wc = await yk(["run", "-a", app, "--", "wc", "-c"], big);
  assert.equal(wc.stdout.trim(), String(big.length));
});

test("hostile argv is passed literally: no shell on the host or in the container", async () => {
  const r = await yk([
    "run",
    "-a",
    app,
    "--",
    "echo",
    `'; touch ${pwned}`,
    "$(id)",
    "`id`",
    "a\nb",
    "--detach",
    "-a",
    "x",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `'; touch ${pwned} $(id) \`id\` a\nb --detach -a x\n`);
  const viaSh = await yk(["run", "-a", app, "--", "sh", "-c", 'printf "%s" "$1"', "sh", `$(touch ${pwned}); rm -rf /`]);
  assert.equal(viaSh.stdout, `$(touch ${pwned}); rm -rf /`);
  assert.equal(existsSync(pwned), false, "nothing ran on the host");
});

test("a program missing from the image exits 127 with the reason", async () => {
  const r = await yk(["run", "-a", app, "--", "no-such-program"]);
  assert.equal(r.code, 127, r.stdout + r.stderr);
  // Docker's init (tini) execs the program, so the reason comes from inside the container
  assert.match(r.stderr, /no-such-program.*(No such file|not found)/);
});

test("with a terminal: a TTY inside, and the terminal is restored", async () => {
  // script(1) gives the CLI a pseudo-terminal; its argv goes through script's -c, hence the quoting of fixed words only.
  const cmd = `${process.execPath} ${CLI} run -a ${app} -- sh -c 'test -t 0 && test -t 1 && echo tty-inside; exit 4'; echo "cli-exit=$?"; stty -a | grep -o -- '-icanon' || echo canon-restored`;
  const r = await run("script", ["-qec", cmd, "/dev/null"], { env, timeoutMs: 60000 });
  // \r\r\n: the container's terminal adds \r, and Node's raw mode keeps the outer one's ONLCR (harmless on screen)
  assert.match(r.stdout, /tty-inside\r*\n/);
  assert.match(r.stdout, /cli-exit=4/);
  assert.match(r.stdout, /canon-restored/);

  // typed input reaches the program; Ctrl-C is a byte for the container's terminal, which signals the program there
  const typed = await run(
    "script",
    ["-qec", `${process.execPath} ${CLI} run -a ${app} -- sh -c 'read x; echo got:$x'`, "/dev/null"],
    { env, input: "typed\n", timeoutMs: 60000 },
  );
  assert.match(typed.stdout, /got:typed/);
  const ctrlC = `(sleep 2; printf '\\003'; sleep 1) | script -qec "${process.execPath} ${CLI} run -a ${app} -- sh -c 'trap \\"echo trapped; exit 9\\" INT; sleep 30 & wait'; echo cli-exit=\\$?" /dev/null`;
  const interrupted = await run("bash", ["-c", ctrlC], { env, timeoutMs: 60000 });
  assert.match(interrupted.stdout, /trapped\r*\n/);
  assert.match(interrupted.stdout, /cli-exit=9/);
});

test("Ctrl-C without a terminal: the CLI exits 130 and the server stops and removes the container", async () => {
  const child = spawn(process.execPath, [CLI, "run", "-a", app, "--", "sleep", "300"], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  const running = await waitFor(
    "the run container to run",
    async () => (await runContainers()).find((c) => c.State === "running") ?? null,
    15000,
    100,
  );
  child.kill("SIGINT");
  // bounded: a CLI that swallowed the signal must fail here, not hang the suite
  const code = await Promise.race([
    exited,
    new Promise<string>((r) => setTimeout(() => r("still running 15 s after SIGINT"), 15000)),
  ]);
  if (typeof code === "string") child.kill("SIGKILL");
  assert.equal(code, 130);
  await waitFor(
    "the interrupted run to be removed",
    async () => !(await runContainers()).some((c) => c.Id === running.Id),
    15000,
    100,
  );
});

test("--detach prints the container's name; its output reaches yk logs; it is removed after the grace period", async () => {
  const r = await yk(["run", "-a", app, "--detach", "--", "sh", "-c", "echo detached-output; sleep 2"]);
  assert.equal(r.code, 0, r.stderr);
  const name = /as (yk-\S+) \(detached\)/.exec(r.stdout)?.[1];
  assert.ok(name, r.stdout);
  assert.match(r.stdout, new RegExp(`yk logs -a ${app}`));
  const c = (await runContainers()).find((x) => x.Names[0] === `/${name}`);
  assert.ok(c, "the detached container exists");
  const info = await docker.getContainer(c.Id).inspect();
  assert.equal(info.HostConfig.Privileged, false);
  await waitFor(
    "the detached run's output in yk logs",
    async () => {
      const logs = await yk(["logs", "-a", app]);
      return logs.stdout.includes(`${name} | detached-output`);
    },
    15000,
    200,
  );
  await waitFor(
    "the detached run to be removed",
    async () => !(await runContainers()).some((x) => x.Id === c.Id),
    20000,
    200,
  );
});

test("storage: a host dir under an allowed root and a named volume are visible in yk run containers", async () => {
  // an app's bind sources are its own directory, ROOT/<app>/…
  const dir = join(storageRoot, app, "data");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "hello.txt"), "from the host\n");
  const m = await yk(["storage:mount", "-a", app, `${dir}:/data`]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /Mounted .* at \/data/);
  const v = await yk(["storage:mount", "-a", app, `${volume}:/vol`]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal((await docker.getVolume(volume).inspect()).Labels["yadokari.app"], app);

  const list = await yk(["storage", "-a", app, "--json"]);
  assert.deepEqual(JSON.parse(list.stdout), [
    { type: "bind", source: dir, containerPath: "/data" },
    { type: "volume", source: volume, containerPath: "/vol" },
  ]);
  const r = await yk([
    "run",
    "-a",
    app,
    "--",
    "sh",
    "-c",
    "cat /data/hello.txt; echo from-container > /data/out.txt; echo kept > /vol/x",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "from the host\n");
  assert.equal(readFileSync(join(dir, "out.txt"), "utf8"), "from-container\n");
  assert.equal((await yk(["run", "-a", app, "--", "cat", "/vol/x"])).stdout, "kept\n");

  const dup = await yk(["storage:mount", "-a", app, `${dir}:/data`]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /already has a mount at \/data/);
  // processes get the mounts from the next deploy on
  const d = await s.deploy(app, join(FIXTURES, "good"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const web = (await appContainers(app)).find(
    (c) => c.State === "running" && c.Labels["yadokari.process"] === "web" && c.Labels["yadokari.release"] === "v2",
  );
  assert.ok(web, "a v2 web container");
  assert.deepEqual((await docker.getContainer(web.Id).inspect()).HostConfig.Binds, [`${dir}:/data`, `${volume}:/vol`]);

  const un = await yk(["storage:unmount", "-a", app, "/vol"]);
  assert.equal(un.code, 0, un.stderr);
  assert.equal((await yk(["run", "-a", app, "--", "ls", "/vol"])).code, 1, "the next run no longer has it");
});

test("refused mounts answer 422 invalid_mount with the rule", async () => {
  const cases: [string, string, RegExp][] = [
    ["/var/run/docker.sock", "/sock", /docker\.sock is never mounted/],
    ["/run/docker.sock", "/sock", /docker\.sock is never mounted/],
    ["/etc", "/etc-host", /\/etc is never mounted/],
    ["/", "/host", /whole filesystem/],
    [s.dataDir, "/yk", /is never mounted/],
    ["relative/dir", "/x", /relative path/],
    [`${storageRoot}/../etc`, "/x", /contains '\.\.'/],
    ["/home", "/x", /not under an allowed storage root/],
    [`${storageRoot}/a`, "relative", /containerPath "relative" is relative/],
    [`${storageRoot}/a`, "/b:ro", /contains ':'/],
    [`${storageRoot}/a`, "/", /containerPath "\/" is refused/],
    [`${storageRoot}/a\n`, "/x", /control character/],
  ];
  for (const [source, containerPath, rule] of cases) {
    const r = await s.api("POST", `/apps/${app}/storage`, { source, containerPath });
    assert.equal(r.status, 422, `${source}:${containerPath} → ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "invalid_mount");
    assert.match(r.body.error.message, rule);
  }
  const cli = await yk(["storage:mount", "-a", app, "/var/run/docker.sock:/var/run/docker.sock"]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /Error: storage: host path \/var\/run\/docker\.sock is refused/);
  const opts = await yk(["storage:mount", "-a", app, `${storageRoot}/a:/a:rshared`]);
  assert.equal(opts.code, 2);
  assert.equal((await s.api("GET", `/apps/${app}/storage`)).body.length, 1, "nothing was added");
});

test("bad run requests: the server validates and answers with the rule", async () => {
  const bad = await s.api("POST", `/apps/${app}/runs`, { command: "ls -la" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.message, "body.command: expected an array");
  const nul = await s.api("POST", `/apps/${app}/runs`, { command: ["ls", "a\u0000"] });
  assert.equal(nul.body.error.message, "body.command[1]: contains a NUL byte");
  const none = await s.api("POST", `/apps/${bare}/runs`, { command: ["ls"] });
  assert.equal(none.status, 409);
  assert.equal(none.body.error.code, "no_release");
  const missing = await s.api("GET", `/apps/${app}/runs/${"0".repeat(64)}`);
  assert.equal(missing.status, 404);
  const hostileId = await s.api("GET", `/apps/${app}/runs/..%2F..%2Fcontainers`);
  assert.equal(hostileId.status, 400, "a malformed run id never reaches Docker");
  assert.equal(hostileId.body.error.message, "path.id: expected a run id: 64 lowercase hex digits");
});

/** Opens the attach upgrade by hand: resolves with the status and, after 101, everything the server sent. */
function attach(
  path: string,
  token: string,
  opts: { tty?: boolean; onData?: (soFar: Buffer) => void } = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${s.url}${path}`, {
      headers: { connection: "Upgrade", upgrade: "tcp", authorization: `Bearer ${token}` },
    });
    req.on("upgrade", (res, socket, head) => {
      const chunks: Buffer[] = [head];
      socket.on("data", (d: Buffer) => {
        chunks.push(d);
        opts.onData?.(Buffer.concat(chunks));
      });
      socket.on("close", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      if (!opts.tty) socket.end(); // no stdin (a TTY client never half-closes: the server would take it as gone)
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("attach: the token is checked on the upgrade; a run is attached once; its exit code is kept after removal", async () => {
  const created = await s.api("POST", `/apps/${app}/runs`, {
    command: ["sh", "-c", "echo hi; exit 5"],
    tty: false,
    detach: false,
  });
  assert.equal(created.status, 201);
  const path = `/api/v1/apps/${app}/runs/${created.body.id}/attach`;
  const denied = await attach(path, "wrong");
  assert.equal(denied.status, 401);
  assert.equal(JSON.parse(denied.body.toString()).error.code, "unauthorized");
  const ok = await attach(path, s.token);
  assert.equal(ok.status, 101);
  assert.deepEqual([...ok.body.subarray(0, 8)], [1, 0, 0, 0, 0, 0, 0, 3], "a Docker stdout frame header");
  assert.equal(ok.body.subarray(8).toString(), "hi\n");
  const view = await s.api("GET", `/apps/${app}/runs/${created.body.id}`);
  assert.deepEqual(view.body, { id: created.body.id, name: created.body.name, state: "exited", exitCode: 5 });
  const again = await attach(path, s.token);
  assert.equal(again.status, 404, "its container is gone");
});

test("DELETE stops and removes a run: one never attached, and a detached one", async () => {
  const created = await s.api("POST", `/apps/${app}/runs`, { command: ["sleep", "300"], detach: false });
  const detached = await s.api("POST", `/apps/${app}/runs`, { command: ["sleep", "300"], detach: true });
  for (const r of [created, detached]) {
    const del = await s.api("DELETE", `/apps/${app}/runs/${r.body.id}`);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.equal(
      (await runContainers()).some((c) => c.Id === r.body.id),
      false,
      "its container is gone",
    );
  }
  assert.equal((await s.api("GET", `/apps/${app}/runs/${detached.body.id}`)).body.state, "exited");
  assert.equal((await s.api("DELETE", `/apps/${app}/runs/${"0".repeat(64)}`)).status, 404);
});

test("attach with a TTY: the terminal size is applied, resize works while it runs, output is raw", async () => {
  const created = await s.api("POST", `/apps/${app}/runs`, {
    // Docker 20.10 (API 1.41) sets a TTY's size only once the container runs, so the run waits a second before
    // printing its size; then it waits (bounded: 30 s) until the size changes and prints it again
    command: [
      "sh",
      "-c",
      'sleep 1; stty size; i=0; while [ "$(stty size)" = "33 101" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; stty size',
    ],
    tty: true,
  });
  const path = `/api/v1/apps/${app}/runs/${created.body.id}/attach`;
  const bad = await attach(`${path}?rows=0&cols=80`, s.token, { tty: true });
  assert.equal(bad.status, 400);
  let sawFirstSize!: () => void;
  const firstSize = new Promise<void>((r) => (sawFirstSize = r));
  const session = attach(`${path}?rows=33&cols=101`, s.token, {
    tty: true,
    onData: (soFar) => {
      if (soFar.toString().includes("\r\n")) sawFirstSize();
    },
  });
  await Promise.race([firstSize, session]);
  const resized = await s.api("POST", `/apps/${app}/runs/${created.body.id}/resize`, { rows: 40, cols: 120 });
  assert.equal(resized.status, 200, JSON.stringify(resized.body));
  const done = await session;
  assert.equal(done.status, 101);
  assert.equal(done.body.toString(), "33 101\r\n40 120\r\n");
  assert.equal((await s.api("GET", `/apps/${app}/runs/${created.body.id}`)).body.exitCode, 0);
});

test("a run whose server died under it is stopped and removed by the restarted server", async () => {
  const child = spawn(process.execPath, [CLI, "run", "-a", app, "--", "sleep", "300"], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  const running = await waitFor(
    "the run container to run",
    async () => (await runContainers()).find((c) => c.State === "running") ?? null,
    15000,
    100,
  );
  await s.kill();
  assert.equal(await exited, 1);
  assert.match(stderr, /not reachable/);
  assert.ok(
    (await runContainers()).some((c) => c.Id === running.Id),
    "the container outlived the server",
  );
  await s.spawn();
  await waitFor(
    "the orphaned run to be removed",
    async () => !(await runContainers()).some((c) => c.Id === running.Id),
    15000,
    100,
  );
});

test("no run container is left behind, and the server logged no run errors", async () => {
  await waitFor("every run container to be removed", async () => (await runContainers()).length === 0, 15000, 200);
  assert.doesNotMatch(readFileSync(s.logPath, "utf8"), /run (attach|sweep)|could not remove/);
});

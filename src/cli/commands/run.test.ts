import { test } from "node:test";
import assert from "node:assert/strict";
import { Duplex, PassThrough } from "node:stream";
import { Command } from "commander";
import { CliError, type Api } from "../api-client.js";
import { registerRun, runRequest, type RunIo } from "./run.js";
import { registerStorage, mountRequest } from "./storage.js";

const ID = "f".repeat(64);

/** Records calls; answers by "METHOD path". */
class FakeApi implements Api {
  calls: { method: string; path: string; body?: unknown }[] = [];
  /** called on each request before it answers (to deliver a signal mid-call) */
  onCall: (key: string) => void = () => {};
  constructor(private readonly answers: Record<string, unknown>) {}
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.calls.push({ method, path, body });
    this.onCall(`${method} ${path}`);
    const key = `${method} ${path}`;
    if (!(key in this.answers)) throw new Error(`unexpected ${key}`);
    return this.answers[key] as T;
  }
  async upload<T>(): Promise<T> {
    throw new Error("no upload");
  }
  async *lines(): AsyncIterable<string> {}
}

/** A terminal and server stand-in: the attached stream sends `output` frames, then closes. */
function fakeIo(opts: { tty: boolean; output?: Buffer; signalOnAttach?: boolean }) {
  const exits: number[] = [];
  const attached: string[] = [];
  const signalHandlers = new Set<() => void>();
  const signal = () => [...signalHandlers].forEach((fn) => fn());
  const sockets: Duplex[] = [];
  const stdout = Object.assign(new PassThrough(), { isTTY: opts.tty, rows: 30, columns: 100 });
  const stdin = Object.assign(new PassThrough(), { isTTY: opts.tty, setRawMode() {} });
  const io: RunIo = {
    stdin,
    stdout,
    stderr: new PassThrough(),
    onSignal: (fn) => {
      signalHandlers.add(fn);
      return () => void signalHandlers.delete(fn);
    },
    onResize: () => () => {},
    async attach(path) {
      attached.push(path);
      const sock = new Duplex({
        read() {},
        write(_c, _e, cb) {
          cb();
        },
      });
      sockets.push(sock);
      // the server has started the container by now; the 101 is still on its way
      if (opts.signalOnAttach) {
        signal();
        return sock;
      }
      setImmediate(() => {
        if (opts.output) sock.push(opts.output);
        sock.push(null);
        sock.destroy();
      });
      return sock;
    },
    exit: (code) => void exits.push(code),
  };
  stdin.end();
  return { io, exits, attached, signal, signalHandlers, sockets };
}

async function yk(args: string[], api: FakeApi, io: RunIo): Promise<string> {
  let out = "";
  const program = new Command("yk")
    .exitOverride()
    .allowExcessArguments(false)
    .enablePositionalOptions() // as registerCommands does
    .configureOutput({ outputError: () => {}, writeErr: () => {}, writeOut: () => {} });
  const ctx = {
    env: {},
    api: () => api,
    saveConfig: async () => "",
    out: (t: string) => void (out += t),
    now: () => new Date(),
  };
  registerRun(program, ctx, () => io);
  registerStorage(program, ctx);
  await program.parseAsync(args, { from: "user" });
  return out;
}

test("everything after -- is the argv, sent as is: options, quotes and shell syntax included", async () => {
  const api = new FakeApi({ "POST /api/v1/apps/web/runs": { id: ID, name: "yk-web-run-v1-abc" } });
  const argv = ["sh", "-c", "echo out; exit 3", "--detach", "-a", "'; touch /tmp/pwned'", "$(id)"];
  const out = await yk(["run", "-a", "web", "--detach", "--", ...argv], api, fakeIo({ tty: false }).io);
  assert.deepEqual(api.calls[0].body, { command: argv, detach: true, tty: false });
  assert.match(out, /as yk-web-run-v1-abc \(detached\)\.\nSee its output with: yk logs -a web\n/);
});

test("without --, everything from the command on is the command's: yk run -a web ls -la; a -d or -a there is not yk's", async () => {
  const api = new FakeApi({ "POST /api/v1/apps/web/runs": { id: ID, name: "yk-web-run-v1-abc" } });
  await yk(["run", "-a", "web", "--detach", "ls", "-la"], api, fakeIo({ tty: false }).io);
  assert.deepEqual(api.calls[0].body, { command: ["ls", "-la"], detach: true, tty: false });
  await yk(["run", "-a", "web", "-d", "grep", "-d", "skip", "-a", "x"], api, fakeIo({ tty: false }).io);
  assert.deepEqual(api.calls[1].body, { command: ["grep", "-d", "skip", "-a", "x"], detach: true, tty: false });
});

test("a TTY only when stdin and stdout are terminals and --no-tty is not given; never detached", () => {
  const both = { stdinTTY: true, stdoutTTY: true };
  assert.equal(runRequest(["bash"], {}, both).tty, true);
  assert.equal(runRequest(["bash"], { tty: false }, both).tty, false);
  assert.equal(runRequest(["bash"], {}, { stdinTTY: true, stdoutTTY: false }).tty, false);
  assert.equal(runRequest(["bash"], {}, { stdinTTY: false, stdoutTTY: true }).tty, false);
  assert.equal(runRequest(["bash"], { detach: true }, both).tty, false);
});

test("no command, or one the server would refuse, is a usage error before any call", async () => {
  const api = new FakeApi({});
  const usage = (p: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === 2 && p.test(e.message);
  await assert.rejects(yk(["run", "-a", "web"], api, fakeIo({ tty: false }).io), usage(/needs a command/));
  await assert.rejects(
    yk(["run", "-a", "web", "--", "a\u0000b"], api, fakeIo({ tty: false }).io),
    usage(/command\[0\]: contains a NUL byte/),
  );
  assert.deepEqual(api.calls, []);
});

test("attached: output is demultiplexed, then the exit code comes from GET …/runs/:id", async () => {
  const frame = (t: number, s: string) => Buffer.concat([Buffer.from([t, 0, 0, 0, 0, 0, 0, s.length]), Buffer.from(s)]);
  const api = new FakeApi({
    "POST /api/v1/apps/web/runs": { id: ID, name: "n" },
    [`GET /api/v1/apps/web/runs/${ID}`]: { id: ID, name: "n", state: "exited", exitCode: 3 },
  });
  const f = fakeIo({ tty: false, output: Buffer.concat([frame(1, "out\n"), frame(2, "err\n")]) });
  let stdout = "";
  let stderr = "";
  f.io.stdout.on("data", (d) => (stdout += d));
  f.io.stderr.on("data", (d) => (stderr += d));
  await yk(["run", "-a", "web", "--", "sh", "-c", "x"], api, f.io);
  assert.deepEqual(f.attached, [`/api/v1/apps/web/runs/${ID}/attach`]);
  assert.deepEqual(f.exits, [3]);
  assert.equal(stdout, "out\n");
  assert.equal(stderr, "err\n");
});

test("with a TTY the attach carries the terminal size", async () => {
  const api = new FakeApi({
    "POST /api/v1/apps/web/runs": { id: ID, name: "n" },
    [`GET /api/v1/apps/web/runs/${ID}`]: { id: ID, name: "n", state: "exited", exitCode: 0 },
  });
  const f = fakeIo({ tty: true });
  await yk(["run", "-a", "web", "--", "bash"], api, f.io);
  assert.deepEqual(api.calls[0].body, { command: ["bash"], detach: false, tty: true });
  assert.deepEqual(f.attached, [`/api/v1/apps/web/runs/${ID}/attach?rows=30&cols=100`]);
  assert.deepEqual(f.exits, [0]);
});

test("storage:mount takes SOURCE:CONTAINER_PATH with one ':'; unmount escapes the path", async () => {
  assert.deepEqual(mountRequest("/var/lib/yadokari-storage/w:/data"), {
    source: "/var/lib/yadokari-storage/w",
    containerPath: "/data",
  });
  assert.throws(
    () => mountRequest("/a:/b:ro"),
    (e: unknown) => e instanceof CliError && e.exitCode === 2,
  );
  const api = new FakeApi({
    "POST /api/v1/apps/web/storage": { type: "volume", source: "cache", containerPath: "/cache" },
    "DELETE /api/v1/apps/web/storage?path=%2Fcache+dir%26x%3D1": { removed: "/cache dir&x=1" },
  });
  const io = fakeIo({ tty: false }).io;
  assert.match(
    await yk(["storage:mount", "-a", "web", "cache:/cache"], api, io),
    /Mounted volume cache at \/cache in web/,
  );
  assert.deepEqual(api.calls[0].body, { source: "cache", containerPath: "/cache" });
  assert.match(await yk(["storage:unmount", "-a", "web", "/cache dir&x=1"], api, io), /Unmounted \/cache dir&x=1/);
});

test("Ctrl-C while the run is being created: the run is stopped and removed, never attached, exit 130", async () => {
  const api = new FakeApi({
    "POST /api/v1/apps/web/runs": { id: ID, name: "n" },
    [`DELETE /api/v1/apps/web/runs/${ID}`]: { id: ID, stopped: true },
  });
  const f = fakeIo({ tty: false });
  api.onCall = (key) => {
    if (key.startsWith("POST")) f.signal();
  };
  await yk(["run", "-a", "web", "--", "sleep", "300"], api, f.io);
  assert.deepEqual(f.attached, []);
  assert.deepEqual(
    api.calls.map((c) => c.method),
    ["POST", "DELETE"],
  );
  assert.deepEqual(f.exits, [130]);
  assert.equal(f.signalHandlers.size, 0, "no handler is left behind");
});

test("Ctrl-C while the attach is answered: the stream is reset (the server stops the run), exit 130", async () => {
  const api = new FakeApi({ "POST /api/v1/apps/web/runs": { id: ID, name: "n" } });
  const f = fakeIo({ tty: false, signalOnAttach: true });
  await yk(["run", "-a", "web", "--", "sleep", "300"], api, f.io);
  assert.equal(f.attached.length, 1);
  assert.equal(f.sockets[0].destroyed, true);
  assert.deepEqual(
    api.calls.map((c) => c.method),
    ["POST"],
  );
  assert.deepEqual(f.exits, [130]);
  assert.equal(f.signalHandlers.size, 0);
});

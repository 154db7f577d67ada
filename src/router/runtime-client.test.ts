import { test } from "node:test";
import assert from "node:assert/strict";
import { accepted, RuntimeClient, RuntimeApiError } from "./runtime-client.js";

test("answers that mean success, per command kind (HAProxy 2.6 wording)", () => {
  assert.ok(accepted("\n", "empty"));
  assert.ok(!accepted("No such server.\n\n", "empty"));
  assert.ok(accepted("New server registered.\n\n", "server-added"));
  assert.ok(!accepted("Already exists a server with the same name in backend.\n\n", "server-added"));
  assert.ok(accepted("Server deleted.\n", "server-deleted"));
  assert.ok(!accepted("Server still has connections attached to it, cannot remove it.\n", "server-deleted"));
  assert.ok(
    accepted(
      "IP changed from '10.0.0.2' to '10.0.0.9', port changed from '5000' to '5001' by 'stats socket command'\n",
      "addr-set",
    ),
  );
  assert.ok(
    accepted("no need to change the addr, no need to change the port by 'stats socket command'\n\n", "addr-set"),
  );
  assert.ok(!accepted("No such server.\n", "addr-set"));
});

test("commands that could smuggle a second command are refused before any I/O", async () => {
  const c = new RuntimeClient("/nonexistent/admin.sock");
  await assert.rejects(
    c.send("show info; shutdown frontend x"),
    (e: unknown) => e instanceof RuntimeApiError && e.kind === "rejected",
  );
  await assert.rejects(
    c.send("show info\nshow stat"),
    (e: unknown) => e instanceof RuntimeApiError && e.kind === "rejected",
  );
});

test("an absent socket is 'unreachable' and ping() is false", async () => {
  const c = new RuntimeClient("/nonexistent/admin.sock", 500);
  await assert.rejects(
    c.send("show info"),
    (e: unknown) => e instanceof RuntimeApiError && e.kind === "unreachable" && e.code === "router_failed",
  );
  assert.equal(await c.ping(), false);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeConstraints, parseConstraint, parseSpread } from "./constraints.js";
import { AppError } from "../errors/app-error.js";

const refused = (f: () => unknown, pattern: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof AppError && e.code === "invalid_constraint" && pattern.test(e.message));

test("Swarm's constraint attributes are accepted and normalized without spaces", () => {
  assert.deepEqual(parseConstraint("node.labels.zone==a"), { attribute: "node.labels.zone", op: "==", value: "a" });
  assert.deepEqual(parseConstraint(" node.role != manager "), { attribute: "node.role", op: "!=", value: "manager" });
  assert.deepEqual(
    normalizeConstraints([
      "node.hostname==web-1.example.com",
      "node.id==abc123xyz",
      "node.platform.os==linux",
      "node.platform.arch!=s390x",
      "engine.labels.storage==ssd",
      "node.labels.zone == eu-west/1",
      "node.labels.zone==eu-west/1",
    ]),
    [
      "node.hostname==web-1.example.com",
      "node.id==abc123xyz",
      "node.platform.os==linux",
      "node.platform.arch!=s390x",
      "engine.labels.storage==ssd",
      "node.labels.zone==eu-west/1",
    ],
  );
});

test("a constraint Swarm would accept but never match, or cannot parse, is refused with its reason", () => {
  refused(() => parseConstraint("node.label.zone==a"), /did you mean node\.labels/);
  refused(() => parseConstraint("node.zone==a"), /unknown attribute "node\.zone"/);
  refused(() => parseConstraint("node.role==master"), /manager or worker/);
  refused(() => parseConstraint("node.labels.zone=a"), /needs an operator/);
  refused(() => parseConstraint("node.labels.zone==a==b"), /more than one operator/);
  refused(() => parseConstraint("node.labels.zone==a b"), /no spaces/);
  refused(() => parseConstraint("node.labels.zone=='a'"), /no spaces or quotes/);
  refused(() => parseConstraint("node.labels.==a"), /label key/);
  refused(() => parseConstraint("node.labels.zone=="), /value/);
  refused(() => parseConstraint(""), /1 to 256/);
  refused(() => parseConstraint(7), /must be a string/);
  refused(() => normalizeConstraints("node.role==worker"), /list/);
  refused(() => normalizeConstraints(["node.role==worker", "node.role==manager"]), /can never both hold/);
  refused(() => normalizeConstraints(["node.labels.zone==a", "node.labels.zone!=a"]), /can never both hold/);
  refused(() => normalizeConstraints(Array.from({ length: 33 }, (_, i) => `node.labels.k${i}==v`)), /at most 32/);
});

test("spread preferences name a node or engine label", () => {
  assert.equal(parseSpread("node.labels.zone"), "node.labels.zone");
  assert.equal(parseSpread("spread=engine.labels.rack"), "engine.labels.rack");
  refused(() => parseSpread("node.hostname"), /spread over node\.labels/);
  refused(() => parseSpread("node.labels.a b"), /spread/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { openDb } from "../store/db.js";
import { Store } from "../store/store.js";
import { Keyring } from "../secrets/keyring.js";
import { systemClock } from "../lib/clock.js";
import { GitflowStore } from "./gitflow-store.js";

function setup() {
  const db = openDb(":memory:");
  const keyring = Keyring.ephemeral();
  const store = new Store(db, systemClock, keyring);
  store.createApp("web");
  return { db, keyring, store, g: new GitflowStore(db, systemClock, keyring) };
}
const delivery = (over: Partial<Parameters<GitflowStore["recordDelivery"]>[0]> = {}) => ({
  app: "web",
  provider: "github" as const,
  deliveryId: "d1",
  event: "push",
  accepted: true,
  bodySha256: "b1",
  ref: "refs/heads/main",
  commit: "a".repeat(40),
  outcome: "queued",
  ...over,
});

test("secrets are sealed in the database, readable, and survive a key rotation", async () => {
  const { db, keyring, store, g } = setup();
  g.setSecret("web", "webhook_secret", "s3cret-value");
  g.setSecret("web", "review-config:BAR", "x");
  assert.ok(!JSON.stringify(db.prepare("SELECT * FROM app_secrets").all()).includes("s3cret-value"));
  assert.equal(g.secret("web", "webhook_secret"), "s3cret-value");
  assert.deepEqual(g.secretsWithPrefix("web", "review-config:"), { BAR: "x" });
  await keyring.rotate();
  assert.equal(store.resealAll() + g.resealSecrets(), 2);
  await keyring.dropOldKeys();
  assert.equal(g.secret("web", "webhook_secret"), "s3cret-value");
  g.setSecret("web", "webhook_secret", null);
  assert.equal(g.secret("web", "webhook_secret"), null);
});

test("an accepted delivery id or body is recorded once; refused ones never block the genuine delivery", () => {
  const { g } = setup();
  assert.ok(g.recordDelivery(delivery({ accepted: false, outcome: "refused: bad_signature" })));
  assert.ok(
    g.recordDelivery(delivery({ accepted: false, outcome: "refused: bad_signature" })),
    "refused ones may repeat",
  );
  const first = g.recordDelivery(delivery());
  assert.ok(first);
  assert.equal(g.recordDelivery(delivery()), null, "same id");
  assert.equal(g.recordDelivery(delivery({ deliveryId: "d2" })), null, "same body under another id");
  assert.ok(g.recordDelivery(delivery({ deliveryId: "d2", bodySha256: "b2" })));
  assert.ok(g.recordDelivery(delivery({ provider: "gitlab" })), "per provider");
  assert.equal(g.acceptedDelivery("web", "github", "zz", "b1")?.id, first!.id);
  g.setDeliveryOutcome(first!.id, "deployed web v2", { targetApp: "web", deployId: 7 });
  assert.equal(g.delivery(first!.id)?.outcome, "deployed web v2");
  assert.equal(g.deliveries("web").length, 5);
});

test("review apps belong to their parent and go with their own app", () => {
  const { store, g } = setup();
  store.createApp("web-feat");
  g.addReviewApp("web-feat", "web", "feat", "feat");
  assert.deepEqual(g.reviewOf("web-feat"), { parent: "web", branch: "feat" });
  assert.equal(g.reviewOf("web"), null);
  assert.equal(g.reviewAppOfBranch("web", "feat")?.app, "web-feat");
  store.deleteApp("web-feat");
  assert.deepEqual(g.reviewApps("web"), []);
});

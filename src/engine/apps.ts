import { AppError } from "../errors/app-error.js";
import { validateAppName, validateHostname, defaultHostname } from "../domain/names.js";
import type { App } from "../domain/types.js";
import type { EngineContext } from "./context.js";
import { syncRouter } from "./router-sync.js";
import { checkHostnameScope } from "../domain/hostname-policy.js";
import { checkQuota } from "../domain/quotas.js";

/** App lifecycle: create, destroy, domains. Validation happens here, on the server. */
export class Apps {
  constructor(
    private readonly ctx: EngineContext,
    private readonly hooks: {
      onCreate?: (app: string) => Promise<void>;
      onDestroy?: (app: string) => Promise<void>;
      /** before the records go: the app's queued deploys end (their uploads deleted, their logs ended) */
      beforeDestroy?: (app: string) => void;
      /** a review app's parent, whose hostnames it shares */
      parentOf?: (app: string) => string | null;
      /** hostnames the server itself answers to */
      reservedHosts?: readonly string[];
    } = {},
  ) {}

  get(name: string): App {
    const app = this.ctx.store.getApp(validateAppName(name));
    if (!app) throw new AppError("not_found", `no app named ${name}`);
    return app;
  }

  async create(name: unknown): Promise<App> {
    const n = validateAppName(name);
    if (this.ctx.store.getApp(n)) throw new AppError("app_exists", `an app named ${n} already exists`);
    const host = defaultHostname(n, this.ctx.domain);
    const owner = this.ctx.store.domainOwner(host);
    if (owner) throw new AppError("domain_taken", `the hostname ${host} is already a custom domain of app ${owner}`);
    if (host === this.ctx.tls?.apiHostname)
      throw new AppError("domain_taken", `the hostname ${host} is Yadokari's own API hostname`);
    const app = this.ctx.store.createApp(n);
    await this.hooks.onCreate?.(n);
    // A new backend is a structural change: the router reloads once here, never during deploys.
    await syncRouter(this.ctx);
    return app;
  }

  setWebReplicas(name: string, n: unknown): App {
    const app = this.get(name);
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 50)
      throw new AppError("invalid_request", "webReplicas must be a whole number from 1 to 50");
    this.ctx.store.setFormation(app.name, { ...app.formation, web: n });
    return this.get(name);
  }

  /** Removes the app's records, routes, containers and images, after its running deploys. */
  async destroy(name: string): Promise<void> {
    const app = this.get(name);
    await this.ctx.locks.run(app.name, async () => {
      this.hooks.beforeDestroy?.(app.name);
      // cascades to releases, deploys, domains, routed servers (the router loses the app's backend, not a server change)
      this.ctx.store.deleteApp(app.name);
      await syncRouter(this.ctx);
      const units = await this.ctx.units.list({ app: app.name });
      await Promise.all(units.map((u) => this.ctx.units.remove(u.id)));
      await this.ctx.engine.images.removeAppImages(app.name);
      await this.hooks.onDestroy?.(app.name);
    });
  }

  async addDomain(name: string, hostname: unknown): Promise<string> {
    const app = this.get(name);
    const h = validateHostname(hostname);
    const owner = this.ctx.store.domainOwner(h);
    if (owner) throw new AppError("domain_taken", `${h} is already a domain of app ${owner}`);
    const defaultOwner = this.ctx.store.listApps().find((a) => defaultHostname(a.name, this.ctx.domain) === h);
    if (defaultOwner) throw new AppError("domain_taken", `${h} is the default hostname of app ${defaultOwner.name}`);
    // An app holding the API's hostname would receive every token and password sent to it.
    if (h === this.ctx.tls?.apiHostname) throw new AppError("domain_taken", `${h} is Yadokari's own API hostname`);
    checkHostnameScope(h, {
      app: app.name,
      parent: this.hooks.parentOf?.(app.name) ?? null,
      domain: this.ctx.domain,
      reserved: this.hooks.reservedHosts ?? [],
    });
    checkQuota("domains", app.name, this.ctx.store.listDomains(app.name).length + 1, this.ctx.quotas.domains);
    this.ctx.store.addDomain(app.name, h);
    await syncRouter(this.ctx);
    return h;
  }

  async removeDomain(name: string, hostname: unknown): Promise<void> {
    const app = this.get(name);
    const h = validateHostname(hostname);
    if (!this.ctx.store.removeDomain(app.name, h))
      throw new AppError(
        "not_found",
        `${h} is not a custom domain of ${app.name}`,
        `'yk domains -a ${app.name}' lists them.`,
      );
    await syncRouter(this.ctx);
  }
}

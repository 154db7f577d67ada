import { api, path } from "../api";
import { ConfirmButton } from "../ui";
import type { TabProps } from "./app";
import { DeploySettingsPanel } from "./app-deploy-settings";
import { StoragePanel } from "./app-storage";

export function SettingsTab({ app, me, canChange }: TabProps) {
  return (
    <>
      <DeploySettingsPanel app={app.name} canChange={canChange} />
      <StoragePanel app={app.name} canChange={canChange} />
      <section class="panel" aria-labelledby="h-danger">
        <h2 id="h-danger">Destroy this app</h2>
        <p>
          Removes {app.name}'s containers, images, routes, releases, config vars and history. This cannot be undone.
        </p>
        {me.role === "admin" ? (
          <ConfirmButton
            label="Destroy app"
            danger
            confirmWord={app.name}
            title={`Destroy ${app.name}?`}
            body={<p>Everything of {app.name} is removed and its hostnames stop answering.</p>}
            onConfirm={async () => {
              await api("DELETE", path("apps", app.name));
              location.hash = "#/";
            }}
          />
        ) : (
          <p class="muted">Only admins can destroy apps.</p>
        )}
      </section>
    </>
  );
}

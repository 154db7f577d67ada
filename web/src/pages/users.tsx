import { useState } from "preact/hooks";
import { api, ApiError, path, type Role, type UserView } from "../api";
import { useLoad } from "../load";
import { Ago, ConfirmButton, described, ErrorNotice, Field } from "../ui";

export function UsersPage() {
  const list = useLoad(() => api<UserView[]>("GET", "/users"), []);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("deployer");
  const [apps, setApps] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ email: string; password?: string } | null>(null);
  const fieldError =
    error instanceof ApiError && ["invalid_user", "user_exists", "invalid_name"].includes(error.code)
      ? `${error.message}. ${error.hint}`
      : null;
  const add = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setCreated(null);
    try {
      const grants =
        apps.trim() === "*"
          ? "*"
          : apps
              .split(",")
              .map((a) => a.trim())
              .filter(Boolean);
      const r = await api<{ user: UserView; initialPassword?: string }>("POST", "/users", {
        email,
        role,
        ...(role === "admin" ? {} : { apps: grants }),
      });
      setCreated({ email: r.user.email, password: r.initialPassword });
      setEmail("");
      setApps("");
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Users</h1>
          <p>
            Admins manage everything; deployers deploy, scale and configure the apps they are granted; viewers only read
            them.
          </p>
        </div>
      </div>
      {created && (
        <div class="notice ok" role="status">
          <strong>Added {created.email}.</strong>
          {created.password && (
            <p>
              Initial password, shown once — give it to them over a safe channel: <code>{created.password}</code>
            </p>
          )}
        </div>
      )}
      <section class="panel" aria-labelledby="h-users">
        <h2 id="h-users">Users</h2>
        <ErrorNotice error={list.error} />
        {list.data && list.data.length === 0 && <p class="muted">No users yet.</p>}
        {list.data && list.data.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Apps</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span class="skip">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((u) => (
                  <tr key={u.email}>
                    <td>{u.email}</td>
                    <td>{u.role}</td>
                    <td>{u.apps === "*" ? "all apps" : u.apps.join(", ") || <span class="muted">none</span>}</td>
                    <td>
                      <Ago at={u.createdAt} /> <span class="small muted">by {u.createdBy}</span>
                    </td>
                    <td>
                      <ConfirmButton
                        label={`Remove ${u.email}`}
                        danger
                        confirmWord={u.email}
                        title={`Remove ${u.email}?`}
                        body={<p>Their tokens and sessions end at once.</p>}
                        onConfirm={async () => {
                          await api("DELETE", path("users", u.email));
                          list.reload();
                        }}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <form class="panel" onSubmit={add} aria-labelledby="h-add-user">
        <h2 id="h-add-user">Add a user</h2>
        {error && !fieldError && <ErrorNotice error={error} />}
        <div class="grid2">
          <Field id="user-email" label="Email" error={fieldError}>
            <input
              type="email"
              {...described("user-email", fieldError)}
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              required
              autoComplete="off"
            />
          </Field>
          <Field id="user-role" label="Role">
            <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <option value="viewer">viewer — read only</option>
              <option value="deployer">deployer — deploy, scale, config</option>
              <option value="admin">admin — everything, users</option>
            </select>
          </Field>
        </div>
        {role !== "admin" && (
          <Field id="user-apps" label="Apps" hint="Comma-separated app names, or * for every app.">
            <input
              type="text"
              {...described("user-apps", null, true)}
              value={apps}
              onInput={(e) => setApps(e.currentTarget.value)}
              autoComplete="off"
              spellcheck={false}
            />
          </Field>
        )}
        <button type="submit" class="primary">
          Add user
        </button>
        <p class="hint">An initial password is generated and shown once.</p>
      </form>
    </>
  );
}

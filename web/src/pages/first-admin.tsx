import { useState } from "preact/hooks";
import { ApiError } from "../api";
import { described, ErrorNotice, Field } from "../ui";
import { useAction } from "../load";

/**
 * First run: no user exists yet. Whoever holds the admin token (the file
 * <data-dir>/admin-token on the server) creates the first admin here.
 */
export function FirstAdminForm({ onCreated }: { onCreated: (email: string, password: string) => void }) {
  const [token, setToken] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();
  const short = password && [...password].length < 12 ? "At least 12 characters." : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (short) return;
    await run(async () => {
      // the admin token is used for this one call and not kept
      const res = await fetch("/api/v1/users", {
        method: "POST",
        headers: { authorization: `Bearer ${token.trim()}`, "content-type": "application/json" },
        body: JSON.stringify({ email, role: "admin", password }),
      });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        throw new ApiError(
          res.status,
          body.error?.code ?? "error",
          body.error?.message ?? `failed (${res.status})`,
          body.error?.hint ?? "",
        );
      }
      onCreated(email, password);
    });
  };
  return (
    <form class="panel" onSubmit={submit}>
      <h1>Welcome to Yadokari</h1>
      <p>
        Create the first admin account. You need the admin token: it is in the file <code>admin-token</code> in the
        server's data directory (<code>/var/lib/yadokari/admin-token</code> by default).
      </p>
      <ErrorNotice error={error} />
      <Field id="admin-token" label="Admin token">
        <input
          type="password"
          {...described("admin-token")}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          autoComplete="off"
          required
        />
      </Field>
      <Field id="first-email" label="Your email">
        <input
          type="email"
          {...described("first-email")}
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
          autoComplete="username"
          required
        />
      </Field>
      {/* the rule is said once: as the hint, or (in its place) as the error */}
      <Field
        id="first-password"
        label="Choose a password"
        hint={short ? undefined : "At least 12 characters."}
        error={short}
      >
        <input
          type="password"
          {...described("first-password", short, !short)}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          autoComplete="new-password"
          required
        />
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? "Creating…" : "Create admin and log in"}
      </button>
    </form>
  );
}

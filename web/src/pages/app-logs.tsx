import { useEffect, useState } from "preact/hooks";
import { path, streamLines } from "../api";
import { ErrorNotice, LogBox } from "../ui";
import type { TabProps } from "./app";

const MAX_LINES = 2000;

export function LogsTab({ app }: TabProps) {
  const [follow, setFollow] = useState(true);
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [run, setRun] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    let buf: string[] = [];
    let pending = false;
    setLines([]);
    setError(null);
    streamLines(
      `${path("apps", app.name, "logs")}?tail=200${follow ? "&follow=1" : ""}`,
      (l) => {
        buf.push(l);
        if (buf.length > MAX_LINES) buf = buf.slice(-MAX_LINES);
        if (!pending) {
          pending = true;
          setTimeout(() => {
            pending = false;
            setLines([...buf]);
          }, 150);
        }
      },
      ctl.signal,
    ).catch(setError);
    return () => ctl.abort();
  }, [app.name, follow, run]);
  return (
    <section class="panel" aria-labelledby="h-logs">
      <h2 id="h-logs">
        Logs
        <span class="row">
          <label class="row small check">
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow
          </label>
          <button type="button" onClick={() => setRun((n) => n + 1)}>
            Reload
          </button>
        </span>
      </h2>
      <p class="small muted">
        The last 200 lines of every container, merged in time order{follow ? ", then new lines as they come" : ""}.
      </p>
      <ErrorNotice error={error} />
      <LogBox lines={lines} label={`Logs of ${app.name}`} />
    </section>
  );
}

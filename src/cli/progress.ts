/**
 * Upload progress for `yk deploy`: nothing for an upload that ends within a
 * second; after that, on a terminal one line redrawn in place, otherwise a
 * plain line at most once a second (CI logs stay readable). Pure apart from
 * the `write` and `now` it is given.
 */
export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

export const formatSize = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function uploadProgress(
  sink: ProgressSink,
  total: number,
  now: () => number,
  quietMs = 1000,
): { update(sent: number): void; done(): void } {
  const start = now();
  let lastLine = -Infinity;
  let shown = false;
  const text = (sent: number) =>
    `Uploading: ${Math.floor((sent / Math.max(total, 1)) * 100)}% (${formatSize(sent)} of ${formatSize(total)})`;
  return {
    update(sent: number) {
      const t = now();
      if (t - start < quietMs) return;
      if (sink.isTTY) {
        sink.write(`\r${text(sent)}\x1b[K`);
        shown = true;
      } else if (t - lastLine >= 1000) {
        sink.write(`${text(sent)}\n`);
        lastLine = t;
        shown = true;
      }
    },
    done() {
      if (!shown) return;
      const sec = ((now() - start) / 1000).toFixed(1);
      sink.write(`${sink.isTTY ? "\r" : ""}Uploaded ${formatSize(total)} in ${sec} s${sink.isTTY ? "\x1b[K" : ""}\n`);
    },
  };
}

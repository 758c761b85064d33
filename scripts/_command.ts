/**
 * Running a command and collecting its output, for the scripts that drive deno, npm, node and tsc:
 * one place that bounds a command's time and reads both streams.
 *
 * @module
 */

/** What a finished command left: exit code, stdout then stderr, and whether the timeout stopped it. */
export interface CommandResult {
  code: number;
  out: string;
  timedOut: boolean;
}

/**
 * Runs `cmd` in `cwd` with `NO_COLOR=1`, killing it after `timeoutMs` (default 10 minutes).
 *
 * @example
 * ```ts
 * import { runCommand } from "./_command.ts";
 * const r = await runCommand(["node", "--version"], ".");
 * console.log(r.code, r.out); // 0 v20.…
 * ```
 */
export async function runCommand(cmd: string[], cwd: string, timeoutMs = 600_000): Promise<CommandResult> {
  const proc = Bun.spawn(cmd, { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill();
  }, timeoutMs);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, out: (out + err).trim(), timedOut };
}

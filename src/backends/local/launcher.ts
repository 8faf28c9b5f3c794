/**
 * The server's end of the launcher process (launcher-main.ts): orders go out in one IPC
 * message per event-loop turn, reports come back the same way. Should the launcher die, it
 * is started again and the backend is told (`onRestart`), so it can find what became of
 * the runs it had ordered through their run dirs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LaunchOrder, LauncherReport, LauncherReports, LauncherSettings } from './launcher-protocol.js';

/** The launcher's entry point beside this file: .ts under tsx (tests), .js once built. */
const MAIN = fileURLToPath(new URL(`./launcher-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/**
 * The server's settings (MOROCCRON_STORE with its password, MOROCCRON_SMTP_URL, a
 * MOROCCRON_TOKEN) are not a job's business: a job that needs one names it in its `env`.
 * The launcher's environment, which every run inherits, goes without them.
 */
const SERVER_SETTING = /^MOROCCRON_/;

/** Node flags the launcher must not repeat: a second inspector or profile of its own. */
const SERVER_ONLY_FLAG = /^--(inspect|cpu-prof|heap-prof|prof|diagnostic-dir|report)/;
/** Those of them that take a value, which may come as the next argument (`--cpu-prof-dir /tmp/p`). */
const TAKES_VALUE = /^--(inspect-port|cpu-prof-(dir|name|interval)|heap-prof-(dir|name|interval)|diagnostic-dir|report-(dir|directory|filename|signal))$/;

/** The server's node flags without those that are its own, and without their values. */
export function launcherExecArgv(serverArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < serverArgv.length; i++) {
    const flag = serverArgv[i]!;
    if (!SERVER_ONLY_FLAG.test(flag)) kept.push(flag);
    else if (TAKES_VALUE.test(flag)) i++;
  }
  return kept;
}

/** How long close() waits for the launcher to exit. */
const EXIT_WAIT_MS = 2_000;

export interface LauncherEvents {
  report(report: LauncherReport): void;
  /** The launcher died and was started again; orders it had not reported on may or may not have run. */
  restarted(error: string): void;
}

export class Launcher {
  private child: ChildProcess;
  private orders: LaunchOrder[] = [];
  private sendScheduled = false;
  private closed = false;

  constructor(
    private readonly settings: Omit<LauncherSettings, 'type'>,
    private readonly events: LauncherEvents,
  ) {
    this.child = this.start();
  }

  launch(order: LaunchOrder): void {
    if (this.closed) return;
    this.orders.push(order);
    if (!this.sendScheduled) {
      this.sendScheduled = true;
      setImmediate(() => this.send());
    }
  }

  /** The launcher's pid, for tools that look at the process tree. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once the launcher has exited (at most EXIT_WAIT_MS); the wrappers it started run on. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const child = this.child;
    child.removeAllListeners('exit');
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, EXIT_WAIT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // Disconnecting ends it.
    if (child.connected) child.disconnect();
    await exited;
  }

  private start(): ChildProcess {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVER_SETTING.test(name)));
    const execArgv = launcherExecArgv(process.execArgv);
    const child = fork(MAIN, [], { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    child.on('message', (message: LauncherReports) => {
      for (const report of message.reports) this.events.report(report);
    });
    child.once('exit', (code, signal) => {
      if (this.closed) return;
      this.child = this.start();
      this.events.restarted(`the launcher process exited (${signal ?? `status ${String(code)}`})`);
    });
    child.on('error', () => {
      // A failed send surfaces as the process's exit; nothing else to do here.
    });
    const settings: LauncherSettings = { type: 'settings', ...this.settings };
    child.send(settings);
    return child;
  }

  private send(): void {
    this.sendScheduled = false;
    if (this.closed || this.orders.length === 0) return;
    const orders = this.orders;
    this.orders = [];
    this.child.send({ type: 'launch', orders });
  }
}

/**
 * The command executor's own log lines, which the real one writes (glog style) into the
 * sandbox `stderr` around the task's output; `stdout` holds only the task's output.
 */
import { appendFileSync } from 'node:fs';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `I1201 14:02:03.123456 12345 exec.cpp:162] message`: level, local date and time, thread id, source. */
export function glogLine(level: 'I' | 'W' | 'E', source: string, message: string, now = new Date()): string {
  const date = `${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds() * 1000, 6)}`;
  return `${level}${date} ${time} ${process.pid} ${source}] ${message}\n`;
}

export class ExecutorLog {
  constructor(private readonly stderrPath: string) {}

  private info(source: string, message: string): void {
    try {
      appendFileSync(this.stderrPath, glogLine('I', source, message));
    } catch {
      // The sandbox is gone (the sim is closing): there is nobody left to read the log.
    }
  }

  /** Before the task's command starts. */
  launching(taskId: string, hostname: string): void {
    this.info('exec.cpp:162', 'Version: 1.12.0');
    this.info('executor.cpp:190', 'Received SUBSCRIBED event');
    this.info('executor.cpp:194', `Subscribed executor on ${hostname}`);
    this.info('executor.cpp:190', 'Received LAUNCH event');
    this.info('executor.cpp:722', `Starting task ${taskId}`);
  }

  forked(pid: number | undefined): void {
    if (pid !== undefined) this.info('executor.cpp:738', `Forked command at ${pid}`);
  }

  killing(taskId: string, graceMs: number, pid: number | undefined): void {
    this.info('executor.cpp:190', 'Received KILL event');
    this.info('executor.cpp:1005', `Received kill for task ${taskId} with grace period of ${graceMs / 1000}secs`);
    if (pid !== undefined) this.info('executor.cpp:1080', `Sending SIGTERM to process tree at pid ${pid}`);
  }

  /** After the command ended, with the words of the terminal update's message. */
  exited(description: string, pid: number | undefined): void {
    this.info('executor.cpp:1039', `${description}${pid !== undefined ? ` (pid: ${pid})` : ''}`);
  }
}

/**
 * The Mesos command executor writes its own glog lines into the sandbox `stderr`, around the
 * task's output (docs/mesos.md, "Sandbox logs"). The log view shows them as Mesos does; a
 * failure notice leaves them out, since its stderr tail is there to show what the job said.
 */

/** `I1201 14:02:03.123456 12345 executor.cpp:722] ...`, from one of the executor's own sources. */
const EXECUTOR_LINE = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ (exec|executor|checker_process|health_checker|docker|launcher)\.cpp:\d+\] /;

export const isExecutorLogLine = (line: string): boolean => EXECUTOR_LINE.test(line);

/**
 * Podman for the container tests: a tiny image made here (Debian's static busybox in an
 * empty root, `podman import`ed: no registry), and a containers.conf of the test's own,
 * given to podman through CONTAINERS_CONF. This machine needs runc (crun refuses its
 * hybrid cgroups), may not raise its open-files limit, and has neither systemd nor journald;
 * the conf says so, as an operator's would. Without podman the tests are skipped, except under CI=true, where that is a failure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from '../../src/backends/local/host-tools.js';

export const TEST_IMAGE = 'localhost/moroccron-test:busybox';
const BUSYBOX = '/bin/busybox';

// No default_ulimits: podman's own (open files 1048576) are more than a process without
// CAP_SYS_RESOURCE may set here, and runc fails the container; so do `--ulimit host`'s.
const CONTAINERS_CONF = `[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
`;

export interface PodmanForTests {
  /** false, or why the tests cannot run here. */
  skip: string | false;
}

const run = (program: string, args: string[]): string => execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Is busybox statically linked? A dynamic one cannot run in an image without libc. */
function staticBusybox(): boolean {
  try {
    return !run('/usr/bin/ldd', [BUSYBOX]).includes('=>');
  } catch (error) {
    // ldd exits 1 with "not a dynamic executable" for a static one.
    return /not a dynamic executable/.test(String((error as { stderr?: string }).stderr ?? ''));
  }
}

/** The image from busybox, unless podman has it already. */
function ensureImage(podman: string): void {
  try {
    run(podman, ['image', 'exists', TEST_IMAGE]);
    return;
  } catch {
    // not there yet
  }
  const dir = mkdtempSync(join(tmpdir(), 'moroccron-image-'));
  try {
    const root = join(dir, 'root');
    for (const sub of ['bin', 'tmp', 'etc']) mkdirSync(join(root, sub), { recursive: true });
    copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
    // Relative links: `busybox --install` would point them at this temporary path.
    for (const applet of run(BUSYBOX, ['--list']).split('\n').filter((name) => /^[\w.[-]+$/.test(name) && name !== 'busybox')) {
      symlinkSync('busybox', join(root, 'bin', applet));
    }
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tarball = join(dir, 'image.tar');
    run('tar', ['-C', root, '-cf', tarball, '.']);
    run(podman, ['import', '--quiet', tarball, TEST_IMAGE]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Podman ready for the tests (CONTAINERS_CONF set in this process, the image there), or why not. */
export function podmanForTests(): PodmanForTests {
  const why = problem();
  if (why !== null && process.env.CI === 'true') throw new Error(`CI=true and podman cannot run the container tests: ${why}`);
  return { skip: why ?? false };
}

function problem(): string | null {
  const podman = findExecutable('podman', '');
  if (podman === '') return 'podman is not installed';
  if (!existsSync(BUSYBOX) || !staticBusybox()) return `${BUSYBOX} is missing or not static (Debian's busybox-static)`;
  const confDir = join(tmpdir(), 'moroccron-podman-test');
  mkdirSync(confDir, { recursive: true });
  const conf = join(confDir, 'containers.conf');
  // Atomically: test files run side by side, and podman may be reading it for another.
  writeFileSync(`${conf}.${process.pid}`, CONTAINERS_CONF);
  renameSync(`${conf}.${process.pid}`, conf);
  process.env.CONTAINERS_CONF = conf;
  try {
    ensureImage(podman);
  } catch (error) {
    return `cannot make the test image: ${String((error as { stderr?: string }).stderr ?? (error as Error).message).trim()}`;
  }
  return null;
}

/** Whether podman still has a container of this name (running or not). */
export function containerExists(name: string): boolean {
  try {
    run(findExecutable('podman', 'podman'), ['container', 'exists', name]);
    return true;
  } catch {
    return false;
  }
}

export interface DockerEngine {
  /** DOCKER_HOST for the docker CLI. */
  host: string;
  stop(): Promise<void>;
}

/**
 * A Docker-compatible engine for the docker CLI (which this machine has, without Docker's
 * own engine): `podman system service` on a socket of the caller's. Resolves once
 * `docker version` answers through it.
 */
export async function startDockerEngine(dir: string): Promise<DockerEngine> {
  const docker = findExecutable('docker', '');
  if (docker === '') throw new Error('the docker CLI is not installed');
  const host = `unix://${join(dir, 'docker.sock')}`;
  const service = spawn(findExecutable('podman', 'podman'), ['system', 'service', '--time=0', host], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  service.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => service.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (service.exitCode === null && service.signalCode === null) service.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      execFileSync(docker, ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, DOCKER_HOST: host }, stdio: 'pipe' });
      return { host, stop };
    } catch (error) {
      if (Date.now() > deadline || service.exitCode !== null) {
        await stop();
        throw new Error(`podman's Docker API did not answer: ${stderr.trim() || String((error as { stderr?: Buffer }).stderr ?? error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Whether the docker CLI is here (a Docker engine need not be). */
export function dockerCliProblem(): string | null {
  const why = findExecutable('docker', '') === '' ? 'the docker CLI is not installed' : null;
  if (why !== null && process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  return why;
}

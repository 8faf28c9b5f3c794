/**
 * A job's `container`: where it runs (the Mesos containerizer, or Docker on agents that run
 * the Docker containerizer), its image, network, host paths mounted into it and, for Docker
 * only, extra `docker run` options. Mapped to a Mesos ContainerInfo in backends/mesos/task-info.ts;
 * on the local backend, podman or docker runs the image whatever the type
 * (backends/local/container-command.ts). What one backend cannot do is refused in commands.ts.
 */
import { z } from 'zod';
import { LIMITS, list, text } from './input-limits.js';

/** Linux's PATH_MAX. */
const MAX_PATH = 4096;
const MAX_VOLUMES = 32;
const MAX_PARAMETERS = 64;

const absolutePath = z
  .string()
  .min(1)
  .max(MAX_PATH, `must be at most ${MAX_PATH} characters`)
  .refine((p) => p.startsWith('/'), 'must be an absolute path')
  .refine((p) => !p.includes('\0'), 'must not contain NUL bytes');

const volume = z.strictObject({
  containerPath: absolutePath.describe('Where it appears inside the container'),
  hostPath: absolutePath.describe("A path on the agent's host"),
  mode: z.enum(['RO', 'RW']).default('RW'),
});

const dockerParameter = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[a-z][a-z0-9-]*$/, 'a docker run option name without its dashes, e.g. "memory-swap"')
    // The Docker containerizer names the container itself and finds it by that name (MESOS-8497).
    .refine((key) => key !== 'name', 'Mesos refuses "name": the Docker containerizer names its containers itself'),
  value: z.string().max(LIMITS.constraintValue, `must be at most ${LIMITS.constraintValue} characters`).refine((v) => !v.includes('\0'), 'must not contain NUL bytes'),
});

export const containerSchema = z
  .strictObject({
    type: z.enum(['mesos', 'docker']).default('mesos').describe('mesos: the Mesos containerizer runs the Docker image; docker: the agent\'s Docker containerizer (agents started with --containerizers=docker,...)'),
    image: text(LIMITS.image).min(1),
    forcePull: z.boolean().default(false),
    network: z.enum(['host', 'bridge', 'none']).default('host').describe('On Mesos, type mesos: host, or bridge (the agent\'s "mesos-bridge" CNI network); type docker: host, bridge or none. On the local backend: podman\'s or docker\'s network of that name'),
    volumes: list(volume, MAX_VOLUMES).default([]).describe('Host paths mounted into the container'),
    parameters: list(dockerParameter, MAX_PARAMETERS).optional().describe('docker only: extra `docker run` options, e.g. {key: "memory-swap", value: "512m"}'),
  })
  .superRefine((container, ctx) => {
    if (container.type === 'mesos' && container.parameters !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'docker run options need type: docker; the Mesos containerizer has none' });
    }
  });

export type ContainerSpec = z.output<typeof containerSchema>;

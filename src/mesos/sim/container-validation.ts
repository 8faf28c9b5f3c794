/**
 * The master's ContainerInfo checks (common/validation.cpp validateContainerInfo and
 * validateVolume), with its messages. What the proto marks `required` (type, a volume's mode
 * and container_path, DockerInfo.image, an image's docker.name) never gets here: the call
 * fails to parse (call-parsing.ts). An image the agent cannot pull fails on the agent, not here.
 */
import type { ContainerInfo, Volume } from '../types.js';

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

const SOURCE_FIELDS: Readonly<Record<string, [field: string, what: string]>> = {
  DOCKER_VOLUME: ['docker_volume', 'DOCKER_VOLUME volume'],
  HOST_PATH: ['host_path', 'HOST_PATH volume'],
  SANDBOX_PATH: ['sandbox_path', 'SANDBOX_PATH volume'],
  SECRET: ['secret', 'SECRET volume'],
  CSI_VOLUME: ['csi_volume', 'CSI volume'],
};

function volumeError(volume: Volume): string | undefined {
  const sources = [volume.host_path, volume.image, volume.source].filter(isSet).length;
  if (sources !== 1) return "Only one of them should be set: 'host_path', 'image' and 'source'";
  if (!isSet(volume.source)) return undefined;
  const source = volume.source as Record<string, unknown>;
  const known = SOURCE_FIELDS[String(source.type)];
  if (!known) return "'source.type' is unknown";
  const [field, what] = known;
  if (!isSet(source[field])) return `'source.${field}' is not set for ${what}`;
  const csi = source.csi_volume as Record<string, unknown>;
  if (field === 'csi_volume' && !isSet(csi.static_provisioning)) return "'source.csi_volume.static_provisioning' is not set for CSI volume";
  return undefined;
}

export function containerInfoError(container: ContainerInfo): string | undefined {
  for (const volume of container.volumes ?? []) {
    const error = volumeError(volume);
    if (error) return `Invalid volume: ${error}`;
  }
  if (container.type === 'DOCKER') {
    if (!isSet(container.docker)) return "DockerInfo 'docker' is not set for DOCKER typed ContainerInfo";
    // The Docker containerizer names its containers itself and finds them by that name (MESOS-8497).
    if ((container.docker!.parameters ?? []).some((p) => p.key === 'name')) return "Parameter in DockerInfo must not be 'name'";
  }
  return undefined;
}

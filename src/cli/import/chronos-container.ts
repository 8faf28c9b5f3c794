/** A Chronos `container` (type DOCKER or MESOS, image, network, forcePullImage, volumes, parameters) as a moroccron container. */
import { isNeutral, isRecord, isTrue, notImported, text } from './chronos-fields.js';

export interface ContainerDraft {
  /** Chronos's DOCKER (its default) runs on the agent's Docker containerizer; MESOS on the Mesos containerizer. */
  type: 'docker' | 'mesos';
  /** Passed on as given when it is not a string, for the job schema to name. */
  image: unknown;
  network?: 'bridge' | 'none';
  forcePull?: true;
  /** Passed on as given, for the job schema to name what is wrong. */
  volumes?: unknown[];
  parameters?: unknown[];
}

export interface ContainerConversion {
  container?: ContainerDraft;
  /** DOCKER, MESOS, or '' when not said (Chronos then means DOCKER). */
  type: string;
  messages: string[];
}

const READ_FIELDS = new Set(['type', 'image', 'network', 'forcePullImage', 'volumes', 'parameters']);

const UNMAPPED_REASONS: Readonly<Record<string, string>> = {
  networkName: 'named container networks are not supported',
};

export function convertContainer(raw: unknown): ContainerConversion {
  if (!isRecord(raw)) return { type: '', messages: [] };
  const messages: string[] = [];
  const type = (text(raw.type) ?? '').trim().toUpperCase();
  if (type !== '' && type !== 'DOCKER' && type !== 'MESOS') messages.push(notImported(`container.type ${JSON.stringify(type)}`, 'Chronos knows DOCKER and MESOS; the image is run as a Docker image'));

  const container: ContainerDraft = { type: type === 'MESOS' ? 'mesos' : 'docker', image: text(raw.image) ?? raw.image };
  const network = (text(raw.network) ?? '').trim().toUpperCase();
  if (network === 'BRIDGE') container.network = 'bridge';
  else if (network === 'NONE' && container.type === 'docker') container.network = 'none';
  else if (network === 'NONE') messages.push(notImported('container.network "NONE"', 'the Mesos containerizer has no network "none"; it runs on the host network (type DOCKER has none)'));
  else if (network !== '' && network !== 'HOST') messages.push(notImported(`container.network ${JSON.stringify(network)}`, 'moroccron has host, bridge and none; it runs on the host network'));
  if (isTrue(raw.forcePullImage)) container.forcePull = true;
  if (Array.isArray(raw.volumes) && raw.volumes.length > 0) {
    container.volumes = raw.volumes.map((v: unknown) =>
      isRecord(v) ? { containerPath: v.containerPath, hostPath: v.hostPath, ...(v.mode !== undefined ? { mode: (text(v.mode) ?? '').toUpperCase() } : {}) } : v,
    );
  }
  if (Array.isArray(raw.parameters) && raw.parameters.length > 0) {
    if (container.type === 'docker') container.parameters = raw.parameters;
    else messages.push(notImported('container.parameters', 'docker run options need type DOCKER'));
  }

  for (const [field, value] of Object.entries(raw)) {
    if (READ_FIELDS.has(field) || isNeutral(value)) continue;
    messages.push(notImported(`container.${field}`, UNMAPPED_REASONS[field] ?? 'not a Chronos field moroccron knows'));
  }
  return { container, type, messages };
}

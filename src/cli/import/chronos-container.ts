/** A Chronos `container` (type DOCKER or MESOS, image, network, forcePullImage, volumes) as a moroccron container. */
import { isNeutral, isRecord, isTrue, notImported, text } from './chronos-fields.js';

export interface ContainerDraft {
  /** Passed on as given when it is not a string, for the job schema to name. */
  image: unknown;
  network?: 'bridge' | 'none';
  forcePull?: true;
}

export interface ContainerConversion {
  container?: ContainerDraft;
  /** DOCKER, MESOS, or '' when not said (Chronos then means DOCKER). */
  type: string;
  messages: string[];
}

const READ_FIELDS = new Set(['type', 'image', 'network', 'forcePullImage']);

const UNMAPPED_REASONS: Readonly<Record<string, string>> = {
  volumes: 'moroccron containers cannot mount volumes yet; bake the files into the image or fetch them in the command',
  parameters: 'docker run options are not supported; moroccron runs images in the Mesos containerizer',
  networkName: 'named container networks are not supported',
};

export function convertContainer(raw: unknown): ContainerConversion {
  if (!isRecord(raw)) return { type: '', messages: [] };
  const messages: string[] = [];
  const type = (text(raw.type) ?? '').trim().toUpperCase();
  if (type !== '' && type !== 'DOCKER' && type !== 'MESOS') messages.push(notImported(`container.type ${JSON.stringify(type)}`, 'Chronos knows DOCKER and MESOS; the image is run as a Docker image'));

  const container: ContainerDraft = { image: text(raw.image) ?? raw.image };
  const network = (text(raw.network) ?? '').trim().toUpperCase();
  if (network === 'BRIDGE') container.network = 'bridge';
  else if (network === 'NONE') container.network = 'none';
  else if (network !== '' && network !== 'HOST') messages.push(notImported(`container.network ${JSON.stringify(network)}`, 'moroccron has host, bridge and none; it runs on the host network'));
  if (isTrue(raw.forcePullImage)) container.forcePull = true;

  for (const [field, value] of Object.entries(raw)) {
    if (READ_FIELDS.has(field) || isNeutral(value)) continue;
    messages.push(notImported(`container.${field}`, UNMAPPED_REASONS[field] ?? 'not a Chronos field moroccron knows'));
  }
  return { container, type, messages };
}

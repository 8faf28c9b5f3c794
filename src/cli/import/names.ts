/** Names from other schedulers made into moroccron names ([a-z0-9][a-z0-9_.-]*, no "..", at most 100), kept unique. */
import { NAME_PATTERN } from '../../core/job-spec.js';

const MAX_NAME_LENGTH = 100;

/** Whether `name` is a moroccron name as it stands. */
export const isValidName = (name: string): boolean => name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name) && !name.includes('..');

/** The closest moroccron name: accents dropped, lower case, every run of other characters one "-"; `fallback` if nothing is left. */
export function toName(raw: string, fallback: string): string {
  const name = raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/-+$/, '');
  return name === '' ? fallback : name;
}

/** Hands out unique names: the first to ask for a name gets it, later ones get "-2", "-3"... */
export class NameAllocator {
  private readonly taken = new Set<string>();

  isTaken(name: string): boolean {
    return this.taken.has(name);
  }

  /** `wanted` if free, else the first free `wanted-n`, shortened to fit in 100 characters. */
  claim(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.taken.has(name); n++) {
      const suffix = `-${n}`;
      name = `${wanted.slice(0, MAX_NAME_LENGTH - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
    }
    this.taken.add(name);
    return name;
  }
}

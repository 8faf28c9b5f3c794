/**
 * Chronos jobs (as GET /v1/scheduler/jobs gives them, test/fixtures/chronos) converted to
 * moroccron jobs and owners: what maps, what is said instead of dropped, what is left out.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { withChronosField } from '../../src/cli/import/chronos-errors.js';
import { convertChronosJobs, type ChronosImport } from '../../src/cli/import/chronos.js';
import { NameAllocator, toName } from '../../src/cli/import/names.js';
import { importAsYaml } from '../../src/cli/import/yaml-writer.js';
import { readJobFile } from '../../src/core/job-file.js';
import { validateJobSpec, type JobSpecInput } from '../../src/core/job-spec.js';
import { validateOwnerSpec } from '../../src/core/owner-spec.js';
import { parseSchedule } from '../../src/core/schedule/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'chronos');
const NOW = Date.parse('2026-05-04T10:20:30.456Z');

const fixture = (file: string): unknown => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
const convert = (input: unknown): ChronosImport => convertChronosJobs(input, { now: NOW });
const convertFixture = (file: string): ChronosImport => convert(fixture(file));

function jobNamed(result: ChronosImport, name: string): JobSpecInput {
  const job = result.jobs.find((j) => j.name === name);
  assert.ok(job, `no job ${name} among ${result.jobs.map((j) => j.name).join(', ')}`);
  return job;
}

const notesOf = (result: ChronosImport, name: string): string[] => result.notes.find((n) => n.job === name)?.messages ?? [];

/** A minimal Chronos job with `fields` on top. */
const chronos = (fields: Record<string, unknown>): Record<string, unknown> => ({ name: 'j', command: 'true', schedule: 'R/2026-01-01T00:00:00Z/P1D', ...fields });

describe('every fixture', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    test(`${file}: each job produced is valid for the job schema, each owner for the owner schema`, () => {
      const result = convertFixture(file);
      assert.ok(result.jobs.length > 0);
      for (const job of result.jobs) assert.ok(validateJobSpec(job).ok, JSON.stringify(validateJobSpec(job)));
      for (const owner of result.owners) assert.ok(validateOwnerSpec(owner).ok, JSON.stringify(validateOwnerSpec(owner)));
    });
  }
});

describe('scheduled jobs', () => {
  const result = convertFixture('scheduled.json');

  test('every field Chronos writes maps, and fields left at their empty value are not listed', () => {
    assert.deepEqual(jobNamed(result, 'nightly_report'), {
      name: 'nightly_report',
      description: 'Nightly revenue report',
      schedule: 'R/2014-03-08T02:30:00.000/P1D',
      timezone: 'Europe/Berlin',
      command: '/srv/reports/nightly.sh --full',
      env: { REPORT_DIR: '/srv/reports', JVMOPTS: '-Xmx1000m' },
      resources: { cpus: 0.5, mem: 512, disk: 256 },
      retries: { max: 3 },
      misfire: { window: 'PT30M' },
      constraints: [['rack', 'LIKE', 'rack-[12]']],
      owners: ['data-team'],
    });
    assert.deepEqual(result.notes, []);
    assert.deepEqual(result.leftOut, []);
  });

  test('disabled is paused, concurrent is concurrency allow, retries 0 stays 0, a start in UTC is kept as it is', () => {
    const job = jobNamed(result, 'hourly_sync');
    assert.equal(job.paused, true);
    assert.equal(job.concurrency, 'allow');
    assert.deepEqual(job.retries, { max: 0 });
    assert.equal(job.schedule, 'R/2014-03-08T20:00:00.000Z/PT2H');
    assert.equal(job.timezone, undefined);
  });

  test("moroccron's parser reads Chronos's start with milliseconds as it stands", () => {
    const schedule = parseSchedule('R/2014-03-08T20:00:00.000Z/PT2H', { timezone: 'UTC' });
    assert.equal(schedule.next(Date.parse('2014-03-08T21:00:00Z')), Date.parse('2014-03-08T22:00:00Z'));
  });

  test('scheduleTimeZone: the start is read in that zone, as Chronos does (its docs: 18:32Z with PST runs at 18:32 Pacific)', () => {
    const job = jobNamed(convert([chronos({ schedule: 'R/2014-10-10T18:32:00Z/PT60M', scheduleTimeZone: 'PST' })]), 'j');
    assert.equal(job.schedule, 'R/2014-10-10T18:32:00/PT60M');
    assert.equal(job.timezone, 'PST');
    const schedule = parseSchedule(job.schedule!, { timezone: job.timezone! });
    assert.equal(schedule.next(Date.parse('2014-10-10T00:00:00Z')), Date.parse('2014-10-11T01:32:00Z'));
  });

  test('the offset Chronos writes after a run (the zone\'s own) is dropped without changing the instant', () => {
    const job = jobNamed(convert([chronos({ schedule: 'R3/2026-03-08T02:30:00.000-08:00/P1D', scheduleTimeZone: 'America/Los_Angeles' })]), 'j');
    assert.equal(job.schedule, 'R3/2026-03-08T02:30:00.000/P1D');
  });

  test('a schedule without a start starts at the time of the import, and says so', () => {
    const result = convert([chronos({ schedule: 'R//PT2S' })]);
    assert.equal(jobNamed(result, 'j').schedule, 'R/2026-05-04T10:20:30Z/PT2S');
    assert.match(notesOf(result, 'j').join('\n'), /no start .* starts at 2026-05-04T10:20:30Z/);
  });

  test('a start without an offset and no scheduleTimeZone, R0, and no schedule at all are each said', () => {
    const result = convert([
      chronos({ name: 'local', schedule: 'R/2026-01-01T00:00:00/P1D' }),
      chronos({ name: 'done', schedule: 'R0/2026-01-01T00:00:00Z/P1D' }),
      chronos({ name: 'once', schedule: undefined }),
    ]);
    assert.match(notesOf(result, 'local').join('\n'), /no UTC offset .* Chronos read it in its server's time zone, moroccron reads it as UTC/);
    assert.match(notesOf(result, 'done').join('\n'), /no repetitions left \(R0\)/);
    assert.equal(jobNamed(result, 'once').schedule, undefined);
    assert.match(notesOf(result, 'once').join('\n'), /no schedule and no parents/);
  });

  test('retries absent is Chronos\'s default, 2; numbers written as strings are numbers', () => {
    const job = jobNamed(convert([chronos({ cpus: '0.25', mem: '64', disk: 0 })]), 'j');
    assert.deepEqual(job.retries, { max: 2 });
    assert.deepEqual(job.resources, { cpus: 0.25, mem: 64 });
  });
});

describe('dependent jobs', () => {
  test('parents become after, and the job has no schedule', () => {
    const result = convertFixture('dependent.json');
    const job = jobNamed(result, 'hostings_earnings_summary');
    assert.deepEqual(job.after, ['db_export-airbed_hostings', 'db_export-airbed_reservation2s']);
    assert.equal(job.schedule, undefined);
  });

  test('a schedule beside parents is not imported (Chronos ignores it), and a parent not in the import is said', () => {
    const result = convert([chronos({ parents: ['Elsewhere Job'], scheduleTimeZone: 'UTC' })]);
    const job = jobNamed(result, 'j');
    assert.deepEqual(job.after, ['elsewhere-job']);
    assert.equal(job.schedule, undefined);
    const notes = notesOf(result, 'j').join('\n');
    assert.match(notes, /not imported: schedule \(a job with parents/);
    assert.match(notes, /not imported: scheduleTimeZone/);
    assert.match(notes, /parent "elsewhere-job" is not among the imported jobs/);
  });
});

describe('commands', () => {
  test('shell: false runs command as the program, with arguments after it', () => {
    const job = jobNamed(convertFixture('shell-false.json'), 'camus_kafka2hdfs');
    assert.deepEqual(job.args, ['/srv/data-infra/kafka/camus/kafka_hdfs_job.bash', '-verbose', '-debug']);
    assert.equal(job.command, undefined);
  });

  test('arguments beside shell: true are not imported (Chronos ignores them)', () => {
    const result = convert([chronos({ arguments: ['-x'] })]);
    assert.equal(jobNamed(result, 'j').command, 'true');
    assert.match(notesOf(result, 'j').join('\n'), /not imported: arguments \(Chronos ignores them when shell is true\)/);
  });

  test('a command that is a URL (Chronos fetched and ran it) leaves the job out, naming the field', () => {
    const result = convert([chronos({ command: 'https://example.com/run.sh' })]);
    assert.deepEqual(result.jobs, []);
    assert.equal(result.leftOut[0]?.job, 'j');
    assert.equal(result.leftOut[0]?.errors[0]?.field, 'command');
  });
});

describe('containers', () => {
  const result = convertFixture('container.json');

  test('type, image, network, forcePullImage and volumes map', () => {
    assert.deepEqual(jobNamed(result, 'dockerjob').container, {
      type: 'docker',
      image: 'libmesos/ubuntu',
      network: 'bridge',
      forcePull: true,
      volumes: [{ containerPath: '/var/log/', hostPath: '/logs/', mode: 'RW' }],
    });
    assert.deepEqual(jobNamed(result, 'dockerjob').resources, { cpus: 0.5, mem: 512 });
    assert.deepEqual(notesOf(result, 'dockerjob'), []);
  });

  test('a MESOS container on the host network with empty lists needs nothing said', () => {
    assert.deepEqual(jobNamed(result, 'ucr_date').container, { type: 'mesos', image: 'alpine:3.20' });
    assert.deepEqual(jobNamed(result, 'ucr_date').args, ['/bin/date', '-u']);
    assert.deepEqual(notesOf(result, 'ucr_date'), []);
  });

  test('a network moroccron does not have is said; docker parameters map, and on MESOS are said', () => {
    const other = convert([chronos({ container: { type: 'DOCKER', image: 'x', network: 'USER', networkName: 'calico', parameters: [{ key: 'a', value: 'b' }] } })]);
    const notes = notesOf(other, 'j').join('\n');
    assert.match(notes, /not imported: container\.network "USER"/);
    assert.match(notes, /not imported: container\.networkName/);
    assert.deepEqual(jobNamed(other, 'j').container, { type: 'docker', image: 'x', parameters: [{ key: 'a', value: 'b' }] });
    const mesos = convert([chronos({ container: { type: 'MESOS', image: 'x', network: 'NONE', parameters: [{ key: 'a', value: 'b' }] } })]);
    const mesosNotes = notesOf(mesos, 'j').join('\n');
    assert.match(mesosNotes, /not imported: container\.parameters \(docker run options need type DOCKER\)/);
    assert.match(mesosNotes, /not imported: container\.network "NONE"/);
    assert.deepEqual(jobNamed(mesos, 'j').container, { type: 'mesos', image: 'x' });
  });
});

describe('fields that cannot be mapped', () => {
  const result = convertFixture('unmappable.json');
  const notes = notesOf(result, 'legacy_etl');

  test('each is listed by name with what to do instead; the job is still imported', () => {
    for (const field of ['async', 'dataProcessingJobType', 'softError', 'highPriority', 'executor', 'executorFlags', 'taskInfoData', 'uris', 'fetch', 'maxCompletionTime']) {
      assert.ok(notes.some((n) => n.startsWith(`not imported: ${field} (`)), `${field} is not listed in ${JSON.stringify(notes)}`);
    }
    assert.ok(notes.includes('not imported: successCount, errorCount, lastSuccess, lastError, errorsSinceLastSuccess (run statistics; moroccron keeps its own run history)'));
    assert.ok(notes.includes('not imported: uris (fetch URIs; put the files in the command or the image)'));
    assert.equal(result.jobs.length, 1);
  });

  test('a constraint operator Chronos does not know is said; EQUALS is kept', () => {
    assert.deepEqual(jobNamed(result, 'legacy_etl').constraints, [['rack', 'EQUALS', 'rack-1']]);
    assert.ok(notes.some((n) => n.startsWith('not imported: constraints[1] (operator "GROUP_BY"')));
  });

  test('runAsUser is the user the job runs as, and no longer listed; an empty one is left out', () => {
    assert.equal(jobNamed(result, 'legacy_etl').user, 'root');
    assert.ok(!notes.some((n) => n.includes('runAsUser')), JSON.stringify(notes));
    const other = convert([chronos({ name: 'a', runAsUser: ' etl ' }), chronos({ name: 'b', runAsUser: '' })]);
    assert.equal(jobNamed(other, 'a').user, 'etl');
    assert.ok(validateJobSpec(jobNamed(other, 'a')).ok);
    assert.equal('user' in jobNamed(other, 'b'), false);
  });

  test('a runAsUser the job schema refuses leaves the job out, naming the Chronos field', () => {
    const bad = convert([chronos({ runAsUser: 'not a user' })]);
    assert.equal(bad.jobs.length, 0);
    assert.deepEqual(bad.leftOut.map((l) => l.errors.map((e) => e.field)), [['user (Chronos runAsUser)']]);
  });

  test('an environment variable without a name is said', () => {
    const other = convert([chronos({ environmentVariables: [{ value: 'x' }, { name: 'A', value: '1' }] })]);
    assert.deepEqual(jobNamed(other, 'j').env, { A: '1' });
    assert.match(notesOf(other, 'j').join('\n'), /not imported: environmentVariables\[0\] \(it has no name\)/);
  });
});

describe('names', () => {
  const result = convertFixture('names.json');

  test('names are made into moroccron names, unique, a valid name keeps its own, and each rename is said', () => {
    assert.deepEqual(
      result.jobs.map((j) => j.name),
      ['sample-job1-2', 'sample-job1', 'nightly-report-2', 'report.weekly', 'after-both'],
    );
    assert.deepEqual(notesOf(result, 'sample-job1-2'), ['renamed from "SAMPLE JOB1" (moroccron names are [a-z0-9][a-z0-9_.-]*; "sample-job1" was taken)']);
    assert.deepEqual(notesOf(result, 'sample-job1'), []);
  });

  test('parents follow the renames', () => {
    assert.deepEqual(jobNamed(result, 'after-both').after, ['sample-job1-2', 'nightly-report-2']);
  });

  test('toName: lower case, accents dropped, runs of other characters one "-", no "..", at most 100', () => {
    assert.equal(toName('Données Export #3', 'job'), 'donnees-export-3');
    assert.equal(toName('  --x..y--  ', 'job'), 'x.y');
    assert.equal(toName('###', 'job'), 'job');
    assert.equal(toName('a'.repeat(150), 'job').length, 100);
  });

  test('NameAllocator: the first gets the name, later ones -2, -3, still within 100 characters', () => {
    const names = new NameAllocator();
    assert.deepEqual([names.claim('x'), names.claim('x'), names.claim('x')], ['x', 'x-2', 'x-3']);
    const long = 'a'.repeat(100);
    assert.equal(names.claim(long), long);
    assert.equal(names.claim(long), `${'a'.repeat(98)}-2`);
  });

  test('a job without a name, or with the name of an earlier one, is left out', () => {
    const other = convert([chronos({ name: '' }), chronos({}), chronos({}), 'not a job']);
    assert.deepEqual(other.jobs.map((j) => j.name), ['j']);
    assert.deepEqual(
      other.leftOut.map((l) => [l.job, l.errors[0]?.field]),
      [['job #1', 'name'], ['j', 'name'], ['job #4', '[3]']],
    );
  });
});

describe('owners', () => {
  test('ownerName names the owner, with every address; jobs with the same owner share it', () => {
    const result = convert([
      chronos({ name: 'a', owner: 'data@example.com, oncall@example.com', ownerName: 'Data Team' }),
      chronos({ name: 'b', owner: 'oncall@example.com,data@example.com', ownerName: 'Data Team' }),
    ]);
    assert.deepEqual(result.owners, [{ name: 'data-team', email: ['data@example.com', 'oncall@example.com'] }]);
    assert.deepEqual(result.jobs.map((j) => j.owners), [['data-team'], ['data-team']]);
  });

  test('without ownerName the name comes from the address; the same name with other addresses is another owner, and said', () => {
    const result = convert([chronos({ name: 'a', owner: 'bob@example.com' }), chronos({ name: 'b', owner: 'bob@airbnb.com' })]);
    assert.deepEqual(result.owners, [
      { name: 'bob', email: 'bob@example.com' },
      { name: 'bob-2', email: 'bob@airbnb.com' },
    ]);
    assert.match(notesOf(result, 'b').join('\n'), /owner "bob-2": another owner named bob has other addresses/);
  });

  test('an address that is not one is said; no owner at all gives no owners', () => {
    const result = convert([chronos({ name: 'a', owner: 'nobody, ann@example.com' }), chronos({ name: 'b', owner: '', ownerName: '' })]);
    assert.deepEqual(result.owners, [{ name: 'ann', email: 'ann@example.com' }]);
    assert.match(notesOf(result, 'a').join('\n'), /not imported: owner "nobody" \(not an e-mail address\)/);
    assert.equal(jobNamed(result, 'b').owners, undefined);
  });

  test('an owner only left-out jobs had is not written', () => {
    const result = convert([chronos({ owner: 'x@example.com', scheduleTimeZone: 'Nowhere/Else' })]);
    assert.deepEqual(result.owners, []);
  });
});

describe('jobs that cannot be made valid', () => {
  const result = convertFixture('invalid.json');

  test('each is left out naming the field (and the Chronos field), jobs after them too, and the rest is kept', () => {
    assert.deepEqual(result.jobs.map((j) => j.name), ['fine']);
    assert.deepEqual(
      result.leftOut.map((l) => [l.job, l.errors.map((e) => e.field)]),
      [
        ['url_job', ['command']],
        ['bad_zone', ['timezone (Chronos scheduleTimeZone)']],
        ['after_url_job', ['after (Chronos parents)']],
      ],
    );
  });

  test('an input that is not a list of jobs is said', () => {
    assert.equal(convert('nope').leftOut[0]?.job, '(input)');
  });

  test('withChronosField names the Chronos field beside the moroccron one', () => {
    assert.equal(withChronosField({ field: 'misfire.window', message: 'm' }).field, 'misfire.window (Chronos epsilon)');
    assert.equal(withChronosField({ field: 'after[1]', message: 'm' }).field, 'after[1] (Chronos parents[1])');
    assert.equal(withChronosField({ field: 'command', message: 'm' }).field, 'command');
  });
});

describe('the YAML written', () => {
  const result = convert([...(fixture('scheduled.json') as unknown[]), ...(fixture('unmappable.json') as unknown[]), ...(fixture('names.json') as unknown[])]);
  const yaml = importAsYaml(result, 'jobs.json');

  test('owners come first as kind: owner documents, then the jobs, separated by ---', () => {
    const docs = parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>);
    const kinds = docs.map((d) => (d.kind === 'owner' ? 'owner' : 'job'));
    assert.deepEqual(kinds, [...result.owners.map(() => 'owner'), ...result.jobs.map(() => 'job')]);
    assert.deepEqual(docs.filter((d) => d.kind !== 'owner'), JSON.parse(JSON.stringify(result.jobs)));
  });

  test('the file reads back with the job-file reader, owners and jobs', () => {
    const read = readJobFile(yaml, 'import.yaml');
    assert.ok(read.ok, JSON.stringify(read));
    assert.deepEqual(read.value.jobs.map((j) => j.name), result.jobs.map((j) => j.name));
    assert.deepEqual(read.value.owners.map((o) => o.name), result.owners.map((o) => o.name));
  });

  test('what was not imported is a comment block above its job', () => {
    assert.match(yaml, /# not imported: uris \(fetch URIs; put the files in the command or the image\)\n(# .*\n)*name: legacy_etl\n/);
    assert.match(yaml, /# renamed from "SAMPLE JOB1" .*\n(# .*\n)*name: sample-job1-2\n/);
  });

  test('the jobs left out are listed at the top', () => {
    const text = importAsYaml(convertFixture('invalid.json'), 'invalid.json');
    assert.match(text, /^# moroccron jobs imported from Chronos \(invalid\.json\): 1 job\(s\), 0 owner\(s\)\n# left out: url_job: command: is a URL/);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGroups, parsePasswd, supplementaryGroups } from '../../src/lib/passwd.js';

test('passwd lines give name, uid, gid and home; malformed ones are skipped', () => {
  const text = 'root:x:0:0:root:/root:/bin/bash\npostgres:x:104:111:PostgreSQL:/var/lib/postgresql:/bin/bash\nbroken:x:abc:1::/:/bin/sh\nshort:x:1\n\n';
  assert.deepEqual(parsePasswd(text), [
    { name: 'root', uid: 0, gid: 0, home: '/root' },
    { name: 'postgres', uid: 104, gid: 111, home: '/var/lib/postgresql' },
  ]);
});

test('group lines give name, gid and the members listed; a user\'s supplementary groups are those listing it, once each', () => {
  const groups = parseGroups('root:x:0:\nssl-cert:x:103:postgres\ndocker:x:998:alice,postgres\ndupe:x:998:alice\nbad:x:x:alice\nshort:x\n');
  assert.deepEqual(groups, [
    { name: 'root', gid: 0, members: [] },
    { name: 'ssl-cert', gid: 103, members: ['postgres'] },
    { name: 'docker', gid: 998, members: ['alice', 'postgres'] },
    { name: 'dupe', gid: 998, members: ['alice'] },
  ]);
  const byUser = supplementaryGroups(groups);
  assert.deepEqual(byUser.get('postgres'), [103, 998]);
  assert.deepEqual(byUser.get('alice'), [998]);
  assert.equal(byUser.get('root'), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordIODecoder, RecordIOError, encodeRecord } from '../../src/mesos/recordio.js';

const events = ['{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"f-0000"}}}', '{"type":"HEARTBEAT"}', '{"type":"ERROR","error":{"message":"grüße ✓"}}'];
const stream = Buffer.concat(events.map((e) => encodeRecord(e)));

test('the length prefix counts bytes, not characters', () => {
  assert.equal(encodeRecord('✓').toString('latin1').split('\n')[0], '3');
});

test('records decode whatever the chunk boundaries, even inside a prefix or a character', () => {
  for (let size = 1; size <= stream.length; size++) {
    const decoder = new RecordIODecoder();
    const out: string[] = [];
    for (let i = 0; i < stream.length; i += size) out.push(...decoder.push(stream.subarray(i, i + size)).map((b) => b.toString('utf8')));
    assert.deepEqual(out, events, `chunk size ${size}`);
    assert.equal(decoder.pending, 0);
  }
});

test('blank lines between records are tolerated; garbage prefixes are errors', () => {
  const decoder = new RecordIODecoder();
  assert.deepEqual(decoder.push(Buffer.from('\n5\nhello\n\n2\nhi')).map(String), ['hello', 'hi']);
  assert.throws(() => new RecordIODecoder().push(Buffer.from('abc\n')), RecordIOError);
  assert.throws(() => new RecordIODecoder().push(Buffer.from('1'.repeat(30))), RecordIOError);
  assert.throws(() => new RecordIODecoder().push(Buffer.from('999999999999\n')), /too large/);
});

test('records before corrupt bytes are returned; the error comes with the next push', () => {
  const decoder = new RecordIODecoder();
  assert.deepEqual(decoder.push(Buffer.from('2\nok\nbad\n')).map(String), ['ok']);
  assert.throws(() => decoder.push(Buffer.from('2\nhi')), RecordIOError);
});

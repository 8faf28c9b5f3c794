/**
 * node --import tsx examples/every-agent-framework/main.ts --master http://127.0.0.1:5050 --port 8081 [--command "sleep 3600"]
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createApi } from './api.js';
import { startEveryAgentFramework } from './framework.js';

const { values } = parseArgs({
  options: {
    master: { type: 'string', default: 'http://127.0.0.1:5050' },
    port: { type: 'string', default: '8081' },
    command: { type: 'string', default: 'sleep 3600' },
  },
});

const framework = startEveryAgentFramework(values.master, values.command);
const api = createApi(framework);
api.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`every-agent API on http://127.0.0.1:${(api.address() as AddressInfo).port}`);
});

void framework.done.then((error) => {
  if (error) console.error(`stopped: ${error.message}`);
  api.close();
  process.exit(error ? 1 : 0);
});
// TEARDOWN on the way out: the master kills our tasks and forgets the framework.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void framework.close({ teardown: true }));

/**
 * The layers of moroccron, bottom to top:
 *   lib (generic helpers) <- core <- store, backends, mesos, notify <- ha <- server <- api <- app <- cli
 * The Mesos library (src/mesos) is reusable on its own: it sees only itself and lib.
 * `npm test` runs this (test/unit/layers.test.ts); a wrong import fails the build.
 */
const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: '^src/', pathNot: `^src/(${allowed.join('|')})/` },
});

module.exports = {
  forbidden: [
    layer('lib-stands-alone', '^src/lib/', ['lib'], 'lib holds generic helpers and imports nothing of the project'),
    layer('core-is-the-bottom', '^src/core/', ['core', 'lib'], 'the scheduler core depends on nothing above it'),
    layer('mesos-library-stands-alone', '^src/mesos/', ['mesos', 'lib'], 'src/mesos is a reusable framework library'),
    layer('store-sees-core', '^src/store/', ['store', 'core', 'lib'], 'stores persist the core\'s records'),
    layer('ha-sees-store', '^src/ha/', ['ha', 'store', 'core', 'lib'], 'elections live beside their stores'),
    layer('backends-see-core-and-mesos', '^src/backends/', ['backends', 'core', 'mesos', 'lib'], 'backends carry out what the core decided'),
    layer('notify-sees-core', '^src/notify/', ['notify', 'core', 'lib'], 'channels deliver what the core decided to say'),
    layer('server-below-api', '^src/server/', ['server', 'backends', 'notify', 'store', 'ha', 'core', 'mesos', 'lib'], 'the loop and its interpreters know nothing of HTTP'),
    layer('api-below-app', '^src/api/', ['api', 'server', 'backends', 'notify', 'store', 'ha', 'core', 'lib'], 'routes read queries and post commands'),
    layer('app-below-cli', '^src/app/', ['app', 'api', 'server', 'backends', 'notify', 'store', 'ha', 'core', 'mesos', 'lib'], 'the composition root wires everything but the CLI'),
    {
      name: 'pure-core',
      comment: 'update() is pure: no clock, timers or I/O in src/core',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure-mesos-reducer',
      comment: 'the framework reducer and offer packing are pure; I/O lives in src/mesos/client and the runner',
      severity: 'error',
      from: { path: '^src/mesos/(framework|offers)/', pathNot: '^src/mesos/framework/runner' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'modules that import each other are one module in disguise',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};

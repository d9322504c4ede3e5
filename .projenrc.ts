import { awscdk, DependencyType, javascript, JsonFile, TextFile } from 'projen';

/**
 * Environment every task runs with: a fixed region (integ-runner and the CDK
 * otherwise probe the instance-metadata address) and no CLI telemetry.
 */
const env = {
  AWS_REGION: 'us-east-1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};

/**
 * Node.js. Users (`engines`): the releases jsii supports, which run the library
 * in Python, Java, .NET and Go too: 22 and 24 (20 reached end of life on
 * 2026-04-30 and jsii dropped it on 2026-10-30). Contributors: 22.13 or later
 * on 22, or 24 (.nvmrc): oauth2-mock-server (^22.12 || ^24 || ^26),
 * basic-auth (>=22) and eslint-visitor-keys (^20.19 || ^22.13 || >=24) set
 * that floor.
 */
const MIN_NODE_VERSION = '22.0.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-cognito-m2m',
  description:
    'AWS CDK constructs for machine-to-machine (OAuth 2.0 client-credentials) authentication with Amazon Cognito in front of API Gateway REST APIs: resource servers and scopes as code, one app client per tenant, scope-gated methods.',
  author: 'cdk-cognito-m2m maintainers',
  authorAddress: 'maintainers@users.noreply.h-seed-9cd5b4dd.example',
  repositoryUrl: 'https://github.com/cdk-cognito-m2m/cdk-cognito-m2m.git',
  keywords: ['aws-cdk', 'cognito', 'oauth2', 'client-credentials', 'm2m', 'api-gateway', 'multi-tenant'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  srcdir: 'lib',
  libdir: 'out',
  testdir: 'test',
  // The peer floor is what the library's code needs: `Validations.acknowledge`
  // (with which constructs record their compliance acknowledgements) arrived in
  // aws-cdk-lib 2.252.0. scripts/peer-floor.sh synthesizes the reference app
  // against it. Development uses 2.257.0 (below): the newest release
  // integ-runner 2.197.x accepts and the oldest cdk-nag 3.x supports.
  cdkVersion: '2.252.0',
  peerDependencyOptions: { pinnedDevDependency: false },
  constructsVersion: '10.5.1',
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.3',
  sampleCode: false,
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: MIN_NODE_VERSION,
  docgen: true,
  docgenFilePath: 'API.md',
  publishToPypi: {
    distName: 'cdk-cognito-m2m',
    module: 'cdk_cognito_m2m',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkcognitom2m',
    mavenGroupId: 'io.github.cdk-cognito-m2m',
    mavenArtifactId: 'cdk-cognito-m2m',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkCognitoM2m',
    packageId: 'CdkCognitoM2m',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-cognito-m2m/cdk-cognito-m2m-go',
  },
  devDeps: [
    'aws-cdk@2.1148.1',
    'cdk-nag@^3.0.2',
    // AWS Control Tower proactive controls (cfn-guard rules; ships its cfn-guard binary).
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    'ts-node@^10.9.2',
    'esbuild@^0.28.0',
    'jsii-pacmak@^1.140.0',
    // Handler code, bundled by esbuild into assets/ at build time.
    // Pinned: the authorizer bundles it; upgrade by docs/upgrading-aws-jwt-verify.md.
    'aws-jwt-verify@5.2.1',
    '@types/aws-lambda@^8.10.164',
    // Handler tests and benchmarks.
    'fast-check@^4.10.2',
    'jsonwebtoken@^9.0.3',
    '@types/jsonwebtoken@^9.0.10',
    'jwks-rsa@^4.1.0',
    // Developer portal handler and its local test servers. The handlers keep
    // @aws-sdk/* external (scripts/bundle-handlers.ts): the Lambda runtime provides SDK v3.
    '@aws-sdk/client-cognito-identity-provider@^3.1169.0',
    '@aws-sdk/client-dynamodb@^3.1162.0',
    '@aws-sdk/client-ssm@^3.1162.0',
    // Developer portal: usage tiers (API keys and usage plan keys).
    '@aws-sdk/client-api-gateway@^3.1142.0',
    // The token-client consumer example reads its credentials with it (the Lambda runtime provides it).
    '@aws-sdk/client-secrets-manager@^3.1162.0',
    // The rotation function checks which stack resource a secret and its app client are.
    '@aws-sdk/client-cloudformation@^3.1169.0',
    '@aws-sdk/lib-dynamodb@^3.1162.0',
    'dynalite@^4.0.0',
    'cognito-local@^5.3.0',
    'aws-sdk-client-mock@^4.1.0',
    // Developer portal web UI: browser journeys in Debian's chromium (never a
    // downloaded browser), a real OpenID Connect provider for sign-in, axe-core.
    'playwright-core@1.65.1',
    'oauth2-mock-server@9.3.0',
    // Integration tests (test/integ.*.ts): snapshots verified offline by integ-runner; deployed by teams with an account.
    // integ-tests-alpha's newest release served here is 2.245.0-alpha.0 (peer aws-cdk-lib ^2.245.0).
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    'axe-core@4.14.1',
  ],
  eslintOptions: {
    dirs: ['lib'],
    devdirs: ['test', 'bin', 'lambda', 'examples', 'scripts', 'web'],
    // `npm test` lints; it must report problems, not rewrite the tree under CI.
    commandOptions: { fix: false },
  },
  jestOptions: {
    jestVersion: '^29',
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 60_000,
      // Jest's default on 2 cores is one worker; two run the suite in about 6 minutes instead of 9.
      maxWorkers: 2,
    },
  },
  // The published JavaScript carries no inline source maps or sources (they were most of out/*.js).
  tsconfig: { compilerOptions: { inlineSourceMap: false, inlineSources: false } },
  gitignore: ['/.venv-cfn-lint*',
    '/assets/', 'cdk.out/', '/.jsii-out/', '/dist/', '/.jsii.tabl.json', '*.tsbuildinfo', '/consumers/java/target/', '/token-client/dist/'],
  npmignoreEnabled: true,
});

// jsii compiles lib/ only. Every other TypeScript folder gets a type-check-only
// tsconfig (as test/ does), which ESLint's project service and ts-node use.
for (const dir of ['bin', 'lambda', 'bench', 'scripts', 'examples']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..', stripInternal: true },
      include: ['**/*.ts'],
      exclude: ['node_modules'],
    },
    allowComments: true,
  });
}

// The reference app: `npx cdk synth` runs it through ts-node, offline.
new awscdk.CdkConfig(project, {
  app: 'npx ts-node --prefer-ts-exts bin/app.ts',
  featureFlags: awscdk.CdkFeatureFlags.V2.NONE,
  watchIncludes: ['bin/**', 'lib/**'],
});

for (const [k, v] of Object.entries(env)) {
  project.tasks.addEnvironment(k, v);
}

// Development and tests run on the tooling's version; users may have any release from the floor up.
project.deps.addDependency('aws-cdk-lib@2.257.0', DependencyType.BUILD);
project.deps.addDependency('constructs@10.5.1', DependencyType.BUILD);

// projen derives `main` from srcdir; the compiled JavaScript lives in libdir.
project.package.addField('main', 'out/index.js');
// The contributors' Node.js, for nvm, fnm and setup-node: the active LTS.
new TextFile(project, '.nvmrc', { lines: ['24'] });

// Handlers in lambda/ are bundled (esbuild, minified) into assets/ before
// compiling, so constructs load them with lambda.Code.fromAsset.
const bundle = project.addTask('bundle', {
  description: 'Bundle the Lambda handlers in lambda/ into assets/',
  exec: 'ts-node --prefer-ts-exts scripts/bundle-handlers.ts',
});
project.preCompileTask.spawn(bundle);
// jsii compiles lib/ into out/ and never deletes: a module moved into a folder (lib/x.ts -> lib/x/index.ts)
// would leave out/x.js behind, which require('./x') still finds first.
project.preCompileTask.exec('node -e "require(\'fs\').rmSync(\'out\', { recursive: true, force: true })"');
// A fresh clone's `npm install` bundles too, so `npx cdk synth` works right after it.
project.package.setScript('prepare', 'ts-node --prefer-ts-exts scripts/bundle-handlers.ts');

// The npm package ships what users need: the compiled constructs and their typings, the jsii
// assembly, the bundled handlers and web UI (assets/); npm adds package.json, README.md and
// LICENSE. An allow-list, so contributor material (sources, tests, docs/, API.md, CONTRIBUTING.md,
// bench/, scripts/, stray local files) stays out. API.md is the repository's; Construct Hub and
// the IDE read the same API from .jsii and the typings.
project.package.addField('files', ['out/**/*.js', 'out/**/*.d.ts', '.jsii', 'assets/']);
// npm ignores .npmignore for what `files` lists; these keep it saying the same.
for (const p of ['/.venv-cfn-lint*', '/.cfnlintrc.yaml', '/bin/', '/lambda/', '/web/', '/docs/', '/consumers/', '/token-client/', '/bench/', '/scripts/', '/examples/', '/cdk.json', '/.ci/', '/.jsii-out/', '/cdk.out/', '/rosetta/', '/API.md', '/CONTRIBUTING.md', '/.jsii.tabl.json']) {
  project.addPackageIgnore(p);
}
// The token client for consuming services (token-client/): its own npm package, outside the jsii assembly.
const tokenClientCompile = project.addTask('token-client:compile', {
  description: 'Compile the token client package (token-client/) into token-client/dist',
  exec: 'tsc -p token-client/tsconfig.json',
});
// Examples import both packages by name: link the compiled packages for the type checker, ESLint and the runner.
project.postCompileTask.spawn(tokenClientCompile);
project.postCompileTask.exec('ts-node --prefer-ts-exts scripts/link-package.ts');
// Every package task works on its own, on a fresh clone: it compiles first when the assembly, out/ or
// assets/ are missing or older than their sources (scripts/needs-compile.ts), and not otherwise, so
// packaging after `npm test` or after another package task does not compile again.
const compileIfNeeded = project.addTask('compile-if-needed', {
  description: 'Bundle and compile (pre-compile, compile) when .jsii, out/ or assets/ are missing or older than their sources',
  condition: 'ts-node --prefer-ts-exts scripts/needs-compile.ts',
});
compileIfNeeded.spawn(project.preCompileTask);
compileIfNeeded.spawn(project.compileTask);
// The README's and the API reference's TypeScript examples, translated once into .jsii.tabl.json, where
// jsii-pacmak finds them: each package's README, docstrings and Javadoc are in its own language.
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Translate the README\'s and API reference\'s examples into Python, Java, C# and Go (jsii-rosetta, rosetta/default.ts-fixture) into .jsii.tabl.json',
  exec: 'ts-node --prefer-ts-exts scripts/translate-snippets.ts',
});
// `--rosetta-unknown-snippets fail`: an example missing from the translations fails the package
// instead of shipping as TypeScript. The checks read the built packages (scripts/consumers/readme-fences.py).
const PACMAK = 'jsii-pacmak -v --rosetta-unknown-snippets fail';
const packageSteps: Record<string, string[]> = {
  'package:js': [
    'jsii-pacmak -v --target js',
    // The published tarball ships what users need: no repository scripts, devDependencies or test config.
    'ts-node --prefer-ts-exts scripts/published-package.ts',
  ],
  'package:python': [
    `${PACMAK} --target python`,
    'python3 scripts/consumers/readme-fences.py python dist/python/*.whl',
  ],
  'package:java': [
    `${PACMAK} --target java`,
    'python3 scripts/consumers/readme-fences.py java dist/java/io/github/cdk-cognito-m2m/cdk-cognito-m2m/*/cdk-cognito-m2m-*-sources.jar',
  ],
  'package:dotnet': [`${PACMAK} --target dotnet`],
  // pacmak generates the module; the script tidies and builds it itself (why: scripts/package-go.sh).
  'package:go': ['bash scripts/package-go.sh'],
};
for (const [name, steps] of Object.entries(packageSteps)) {
  const task = project.tasks.tryFind(name)!;
  task.reset();
  // pacmak packs the assembly with `npm pack`, which would run `prepare` and bundle assets/ again, behind
  // compile-if-needed's back and under any other task reading assets/ at the same time.
  task.env('npm_config_ignore_scripts', 'true');
  task.spawn(compileIfNeeded);
  if (name !== 'package:js') task.spawn(rosettaExtract);
  for (const step of steps) task.exec(step);
}
const bench = project.addTask('bench', {
  description: 'Authorizer benchmarks (ratios against baselines measured in the same run)',
  exec: 'ts-node --prefer-ts-exts bench/authorizer.bench.ts',
});
// The verified-token cache: a hit at empty, half and full against the previous LRU cache, interleaved.
bench.exec('ts-node --prefer-ts-exts bench/token-cache.bench.ts');
// The token client: token-endpoint requests per 10,000 API calls from 50 concurrent callers, against one per call.
bench.exec('ts-node --prefer-ts-exts bench/token-client.bench.ts');
bench.exec('ts-node --prefer-ts-exts bench/directory.bench.ts');
// Synth CPU and peak memory of an API of 100 to 5,000 scoped methods against the same API in aws-cdk-lib alone.
bench.exec('ts-node --prefer-ts-exts bench/synth.bench.ts');

// Handlers and the web UI share with the constructs only lib/private/contracts/ (names, id rules, formats, the
// route table, the portal API's types); the web UI never imports a handler.
const CONTRACTS_ONLY = {
  // gitignore-style: a directory excluded cannot have a file re-included, so lib/private itself stays allowed.
  group: ['**/lib/*', '!**/lib/private', '**/lib/private/*', '!**/lib/private/contracts'],
  message: 'lambda/ and web/ import from lib/ only under lib/private/contracts/ (the contracts between constructs, handlers and the web UI)',
};
project.eslint?.addOverride({
  files: ['lambda/**/*.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: [CONTRACTS_ONLY] }] },
});
project.eslint?.addOverride({
  files: ['web/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [CONTRACTS_ONLY, { group: ['**/lambda/**'], message: 'the web UI never imports a handler: shared shapes live in lib/private/contracts/' }],
    }],
  },
});

// `npm test` runs everything a change must pass.
const test = project.tasks.tryFind('test')!;
test.reset();
// The browser journeys need Debian's chromium: installed here when missing (or one line says how).
test.spawn(project.addTask('browser', {
  description: 'Install Debian\'s chromium for the web UI\'s browser journeys when it is missing',
  exec: 'bash scripts/ensure-chromium.sh',
}));
test.spawn(project.preCompileTask);
test.spawn(project.compileTask);
test.spawn(project.postCompileTask);
test.exec('jest --passWithNoTests=false --ci', { receiveArgs: true });
test.spawn(project.tasks.tryFind('eslint')!);
const examples = project.addTask('examples', {
  description: 'Typecheck and synthesize every example app',
  exec: 'ts-node --prefer-ts-exts scripts/synth-examples.ts',
});
test.spawn(examples);
// The examples keep their cloud assemblies for cfn-lint (scripts/cfn-lint.ts), which lints them and the
// reference app against CloudFormation's resource schemas; it installs cfn-lint into .venv-cfn-lint/.
examples.env('EXAMPLES_CDK_OUT', 'cdk.out/examples');
const cfnLint = project.addTask('cfn-lint', {
  description: 'Lint the reference app\'s and examples\' templates against CloudFormation\'s schemas (installs cfn-lint into .venv-cfn-lint/)',
  exec: 'ts-node --prefer-ts-exts scripts/cfn-lint.ts --examples-from cdk.out/examples',
});
test.spawn(cfnLint);
// Integration tests (test/integ.*.ts, aws-cdk style): npm test verifies their committed snapshots offline
// (no AWS account); integ:update rewrites the snapshots without deploying; integ:deploy deploys, asserts
// and destroys them in the account and Region of your AWS credentials.
const INTEG_RUNNER = 'integ-runner --app "node -r ts-node/register {filePath}" --test-regex "^integ\\..*\\.ts$" --directory test';
const integEnv = { TS_NODE_TRANSPILE_ONLY: 'true' };
const integSnapshots = project.addTask('integ:snapshots', {
  description: 'Verify the integration tests\' snapshots (offline)',
  exec: INTEG_RUNNER,
  env: integEnv,
});
test.spawn(integSnapshots);
project.addTask('integ:update', {
  description: 'Rewrite the integration tests\' snapshots without deploying',
  exec: `${INTEG_RUNNER} --update-on-failed --dry-run`,
  env: integEnv,
});
project.addTask('integ:deploy', {
  description: 'Deploy the integration tests, run their assertions and destroy them (needs AWS credentials)',
  exec: `${INTEG_RUNNER} --update-on-failed --force`,
  env: integEnv,
});
// jsii-docgen writes no table of contents: scripts/api-toc.ts adds one to API.md.
project.tasks.tryFind('docgen')!.exec('ts-node --prefer-ts-exts scripts/api-toc.ts');
project.addTask('cdk-versions', {
  description: 'Synthesize the reference app and every example from the packed tarball on aws-cdk-lib 2.252.0, 2.257.0 and 2.278.0; fail on any library warning or deprecation',
  exec: 'bash scripts/cdk-versions.sh',
});
const pacmak = project.addTask('pacmak:code-only', {
  description: 'Generate Python, Java, .NET and Go code from the jsii assembly (offline)',
  // --rosetta-unknown-snippets translate: each package's README carries the snippets translated into its
  // language (from .jsii.tabl.json when `rosetta:extract` made it, else translated here).
  exec: 'rm -rf .jsii-out && jsii-pacmak --code-only --rosetta-unknown-snippets translate --outdir .jsii-out --target python --target java --target dotnet --target go && ls .jsii-out/python .jsii-out/java .jsii-out/dotnet .jsii-out/go >/dev/null',
});
test.spawn(pacmak);
const drift = project.addTask('api-drift', {
  description: 'Fail when API.md is not the one jsii-docgen generates for the current code',
  exec: 'bash scripts/check-api-drift.sh',
});
test.spawn(drift);

project.synth();

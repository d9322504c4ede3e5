import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { propError } from './validation';

/**
 * The oldest Node.js major the bundled handlers run on: the esbuild
 * `target` of scripts/bundle-handlers.ts (`node20`). A test keeps the two
 * equal.
 */
export const BUNDLE_NODE_MAJOR = 20;

const NODE_RUNTIME_NAME = /^nodejs(\d+)\.x$/;

/** The Node.js major of a runtime named `nodejs<major>.x`; undefined for any other name. */
export function nodeMajor(runtime: lambda.Runtime): number | undefined {
  const m = NODE_RUNTIME_NAME.exec(runtime.name);
  return m ? Number(m[1]) : undefined;
}

/**
 * The newest Node.js runtime the installed aws-cdk-lib knows
 * (`lambda.Runtime.ALL`), e.g. `nodejs24.x` on aws-cdk-lib 2.257 and
 * `nodejs26.x` on 2.278. The same list cdk-nag's `AwsSolutions-L1` compares
 * a function's runtime with, so the default never trips that rule.
 */
export function newestNodeRuntime(): lambda.Runtime {
  let newest: lambda.Runtime | undefined;
  for (const runtime of lambda.Runtime.ALL) {
    const major = nodeMajor(runtime);
    if (major === undefined || runtime.family !== lambda.RuntimeFamily.NODEJS) continue;
    if (!newest || major > nodeMajor(newest)!) newest = runtime;
  }
  if (!newest) throw new Error('aws-cdk-lib lists no Node.js Lambda runtime (lambda.Runtime.ALL): is aws-cdk-lib installed once, at 2.252.0 or later?');
  return newest;
}

/**
 * The runtime a bundled handler runs on: `runtime` when given (checked:
 * Node.js `BUNDLE_NODE_MAJOR` or later; `prop` names it in errors, e.g.
 * `authorizer.runtime`), else the newest Node.js runtime aws-cdk-lib knows.
 */
export function handlerRuntime(scope: IConstruct, prop: string, runtime: lambda.Runtime | undefined): lambda.Runtime {
  if (runtime === undefined) return newestNodeRuntime();
  const major = nodeMajor(runtime);
  const choose = `e.g. lambda.Runtime.NODEJS_24_X, or new lambda.Runtime('nodejs26.x', lambda.RuntimeFamily.NODEJS) on an aws-cdk-lib that does not list it yet; leave it out for the newest Node.js runtime this aws-cdk-lib knows (${newestNodeRuntime().name})`;
  if (major === undefined || (runtime.family !== undefined && runtime.family !== lambda.RuntimeFamily.NODEJS)) {
    throw propError(scope, prop, runtime.name, `must be a Node.js runtime named nodejs<major>.x (the library's handlers are JavaScript bundles), ${choose}`);
  }
  if (major < BUNDLE_NODE_MAJOR) {
    throw propError(scope, prop, runtime.name, `must be Node.js ${BUNDLE_NODE_MAJOR} or later: the library's handlers are built for Node.js ${BUNDLE_NODE_MAJOR} (esbuild target node${BUNDLE_NODE_MAJOR}); ${choose}`);
  }
  return runtime;
}

import { AspectOptions, Aspects } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Runs `fn` once at synthesis, when the aspects visit `scope`: after the app
 * has declared everything, before validation (and so before compliance
 * aspects such as cdk-nag's, which run at a lower priority or later).
 * CDK may visit a construct more than once; `fn` still runs once.
 */
export function onceAtSynth(scope: IConstruct, fn: () => void, options?: AspectOptions): void {
  let done = false;
  Aspects.of(scope).add({
    visit: (node) => {
      if (node !== scope || done) return;
      done = true;
      fn();
    },
  }, options);
}

/**
 * Synthesis-time state the library keeps on an object it belongs to (a user
 * pool, a stack, a scope): a non-enumerable property under a global symbol,
 * so the state lives and dies with its owner, and every copy of the library
 * loaded in one app (two versions in node_modules) sees the same state.
 */
export function ownedState<T>(owner: object, key: string, create: () => T): T {
  const symbol = Symbol.for(`cdk-cognito-m2m.${key}`);
  const held = (owner as Record<symbol, T | undefined>)[symbol];
  if (held !== undefined) return held;
  const state = create();
  Object.defineProperty(owner, symbol, { value: state, enumerable: false, configurable: false, writable: false });
  return state;
}

/** The state `ownedState` keeps under `key` on `owner`, if any. */
export function existingState<T>(owner: object, key: string): T | undefined {
  return (owner as Record<symbol, T | undefined>)[Symbol.for(`cdk-cognito-m2m.${key}`)];
}

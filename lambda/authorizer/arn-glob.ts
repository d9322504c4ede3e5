/**
 * How API Gateway matches a Lambda authorizer's policy against the method ARN
 * of a request: in `Resource`, `*` matches any run of characters (including
 * `/`) and `?` exactly one; an explicit Deny wins over any Allow; no match is
 * an implicit Deny.
 */

/** Glob match with `*` (any characters, including none and `/`) and `?` (one character). */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  const pl = pattern.length;
  while (t < text.length) {
    const c = p < pl ? pattern.charCodeAt(p) : -1;
    if (c === 42 /* * */) {
      starP = p++;
      starT = t;
    } else if (c !== -1 && (c === 63 /* ? */ || c === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pl && pattern.charCodeAt(p) === 42) p++;
  return p === pl;
}

/** The parts of an IAM policy document an authorizer returns. */
export interface PolicyStatement {
  readonly Action: string | readonly string[];
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string | readonly string[];
}
export interface PolicyDocument {
  readonly Version: string;
  readonly Statement: readonly PolicyStatement[];
}

function asList(v: string | readonly string[]): readonly string[] {
  return typeof v === 'string' ? [v] : v;
}

function coversInvoke(action: string | readonly string[]): boolean {
  return asList(action).some((a) => globMatch(a.toLowerCase(), 'execute-api:invoke'));
}

/** `Allow` or `Deny` for one method ARN, as API Gateway would decide with this policy. */
export function evaluatePolicy(policy: PolicyDocument, methodArn: string): 'Allow' | 'Deny' {
  let allowed = false;
  for (const st of policy.Statement) {
    if (!coversInvoke(st.Action)) continue;
    if (!asList(st.Resource).some((r) => globMatch(r, methodArn))) continue;
    if (st.Effect === 'Deny') return 'Deny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'Deny';
}

/** Method ARN of a concrete request (`path` like `/orders/42`, root is `/`). */
export function methodArnOf(apiPrefix: string, stage: string, verb: string, path: string): string {
  return `${apiPrefix}/${stage}/${verb}/${path.replace(/^\//, '')}`;
}

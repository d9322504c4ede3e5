/**
 * Test oracle: how API Gateway evaluates a Lambda authorizer's policy for the
 * method ARN of a request. In `Resource`, `*` matches any run of characters
 * (including `/`) and `?` exactly one; an explicit Deny wins over any Allow;
 * no match is an implicit Deny.
 */
import type { PolicyDocument } from '../../../lambda/authorizer/policy';
import { globMatch } from '../../../lib/private/route-plan';

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

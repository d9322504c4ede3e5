/**
 * Reading the client directory out of synthesized templates: SSM parameter
 * values are Fn::Join expressions over client ids (Refs), rendered here with
 * a stand-in id per logical id.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { GENERATED_CLIENT_ID_CHARS } from '../../lib/private/directory-budget';

/** A 26-character stand-in for the client id CloudFormation will give a logical id. */
export function fakeClientId(logicalId: string): string {
  return logicalId.replace(/[^A-Za-z0-9]/g, '').slice(-GENERATED_CLIENT_ID_CHARS).padStart(GENERATED_CLIENT_ID_CHARS, '0');
}

/** Renders a template value (a string or an Fn::Join of strings and Refs) with fake client ids. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref) return fakeClientId(v.Ref as string);
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** The directory parameters of a template: name → rendered value. */
export function directoryParameters(t: Template): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of Object.values(t.findResources('AWS::SSM::Parameter'))) {
    out.set(r.Properties.Name as string, render(r.Properties.Value));
  }
  return out;
}


/** client logical id (as a fake id) → tenant, for every TenantAppClient of a template. */
export function clientsOf(t: Template): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, r] of Object.entries(t.findResources('AWS::Cognito::UserPoolClient'))) {
    out.set(fakeClientId(id), r.Properties.ClientName as string);
  }
  return out;
}


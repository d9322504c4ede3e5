/**
 * Lambda entry of the developer portal's authorizer (bundled as
 * assets/authorizer-portal; DeveloperPortal deploys it when people sign in
 * to its web UI). The registry build (lambda/authorizer-registry) plus the
 * portal's people: access tokens of the sign-in pool's web client, with the
 * role and tenant their Cognito groups give (lambda/authorizer/people.ts).
 */
import { AuthorizerEvent, AuthorizerResponse, createAuthorizerFromEnv } from '../authorizer/authorizer';
import { PEOPLE } from '../authorizer/people';
import { registryBuild } from '../authorizer/registry-build';

const authorizer = createAuthorizerFromEnv(process.env, __dirname, { registry: registryBuild, people: PEOPLE });

// A CommonJS export, as in lambda/authorizer/index.ts.
exports.handler = (event: AuthorizerEvent): Promise<AuthorizerResponse> => authorizer.handle(event);

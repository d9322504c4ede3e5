#!/usr/bin/env python3
"""The README's Quick start, in Python, against the cdk-cognito-m2m wheel.

A pool with a resource server and two tenants, a ScopedRestApi with scoped
GET/POST /orders and a public GET /health, and the four outputs a tenant needs.
Kept equivalent to the TypeScript Quick start in README.md, so
that both synthesize the same template (scripts/language-consumers.sh compares them).
"""
from aws_cdk import App, CfnOutput, Duration, Stack
from aws_cdk import aws_apigateway as apigateway
from cdk_cognito_m2m import M2mUserPool, ScopedRestApi

app = App()
stack = Stack(app, "Orders")

pool = M2mUserPool(stack, "Pool", domain_prefix="acme-m2m")
orders = pool.add_resource_server(
    "Orders",
    identifier="https://api.acme.example/orders",
    scopes=[
        # ScopeDefinition structs may be passed as plain dicts with snake_case keys.
        {"name": "read", "description": "Read orders"},
        {"name": "write", "description": "Create and change orders"},
    ],
)

# One app client per tenant, with the least scopes it needs.
globex = pool.add_tenant(
    "globex",
    scopes=[orders.scope("read"), orders.scope("write")],
    access_token_validity=Duration.minutes(15),
)
initech = pool.add_tenant("initech", scopes=[orders.scope("read")])

api = ScopedRestApi(stack, "Api", user_pool=pool)


# One integration per method, each with its own HTTP method; the backend gets the
# caller's tenant, client id and scopes as headers, from the authorizer (not from the caller).
def backend(http_method: str) -> apigateway.HttpIntegration:
    return apigateway.HttpIntegration(
        "https://backend.acme.example/orders",
        http_method=http_method,
        options=apigateway.IntegrationOptions(request_parameters=api.caller_context_headers()),
    )


res = api.root.add_resource("orders")
api.add_scoped_method(res, "GET", backend("GET"), scopes=[orders.scope("read")])
api.add_scoped_method(res, "POST", backend("POST"), scopes=[orders.scope("write")])
# A health check that API Gateway answers itself: it reaches no backend and returns no data.
api.add_public_method(
    api.root.add_resource("health"),
    "GET",
    apigateway.MockIntegration(
        request_templates={"application/json": '{"statusCode": 200}'},
        integration_responses=[
            apigateway.IntegrationResponse(
                status_code="200",
                response_templates={"application/json": '{"status":"ok"}'},
            )
        ],
    ),
    reason="Health check for the load balancer; answered by API Gateway, returns no data",
    method_responses=[apigateway.MethodResponse(status_code="200")],
)

# res.add_method("DELETE", backend("DELETE"))  # would fail synth: "DELETE /orders (...) declares no scopes"

# What a tenant needs next: the token endpoint, the API's URL, and where its credentials are.
CfnOutput(stack, "TokenEndpoint", value=pool.token_endpoint)
CfnOutput(stack, "ApiUrl", value=api.url)
CfnOutput(stack, "GlobexCredentials", value=globex.secret.secret_arn)
CfnOutput(stack, "InitechCredentials", value=initech.secret.secret_arn)

app.synth()

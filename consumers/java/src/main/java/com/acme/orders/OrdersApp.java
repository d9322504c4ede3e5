package com.acme.orders;

import io.github.cdkcognitom2m.M2mUserPool;
import io.github.cdkcognitom2m.PublicMethodOptions;
import io.github.cdkcognitom2m.ResourceServer;
import io.github.cdkcognitom2m.ResourceServerOptions;
import io.github.cdkcognitom2m.ScopeDefinition;
import io.github.cdkcognitom2m.ScopedMethodOptions;
import io.github.cdkcognitom2m.ScopedRestApi;
import io.github.cdkcognitom2m.TenantAppClient;
import io.github.cdkcognitom2m.TenantAppClientOptions;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.apigateway.HttpIntegration;
import software.amazon.awscdk.services.apigateway.HttpIntegrationProps;
import software.amazon.awscdk.services.apigateway.IntegrationOptions;
import software.amazon.awscdk.services.apigateway.IntegrationResponse;
import software.amazon.awscdk.services.apigateway.MethodResponse;
import software.amazon.awscdk.services.apigateway.MockIntegration;
import software.amazon.awscdk.services.apigateway.Resource;

/**
 * The README's Quick start, in Java, against the cdk-cognito-m2m jar.
 *
 * <p>A pool with a resource server and two tenants, a ScopedRestApi with scoped GET/POST
 * /orders and a public GET /health, and the four outputs a tenant needs. Kept equivalent
 * to the TypeScript Quick start in README.md, so that both synthesize the same template
 * (scripts/java-consumer.sh compares them).
 */
public final class OrdersApp {
  private OrdersApp() {}

  public static void main(final String[] args) {
    App app = new App();
    Stack stack = new Stack(app, "Orders");

    M2mUserPool pool = M2mUserPool.Builder.create(stack, "Pool").domainPrefix("acme-m2m").build();
    ResourceServer orders = pool.addResourceServer("Orders", ResourceServerOptions.builder()
        .identifier("https://api.acme.example/orders")
        .scopes(List.of(
            ScopeDefinition.builder().name("read").description("Read orders").build(),
            ScopeDefinition.builder().name("write").description("Create and change orders").build()))
        .build());

    // One app client per tenant, with the least scopes it needs.
    TenantAppClient globex = pool.addTenant("globex", TenantAppClientOptions.builder()
        .scopes(List.of(orders.scope("read"), orders.scope("write")))
        .accessTokenValidity(Duration.minutes(15))
        .build());
    TenantAppClient initech = pool.addTenant("initech", TenantAppClientOptions.builder()
        .scopes(List.of(orders.scope("read")))
        .build());

    ScopedRestApi api = ScopedRestApi.Builder.create(stack, "Api").userPool(pool).build();

    Resource res = api.getRoot().addResource("orders");
    api.addScopedMethod(res, "GET", backend(api, "GET"),
        ScopedMethodOptions.builder().scopes(List.of(orders.scope("read"))).build());
    api.addScopedMethod(res, "POST", backend(api, "POST"),
        ScopedMethodOptions.builder().scopes(List.of(orders.scope("write"))).build());
    // A health check that API Gateway answers itself: it reaches no backend and returns no data.
    api.addPublicMethod(api.getRoot().addResource("health"), "GET",
        MockIntegration.Builder.create()
            .requestTemplates(Map.of("application/json", "{\"statusCode\": 200}"))
            .integrationResponses(List.of(IntegrationResponse.builder()
                .statusCode("200")
                .responseTemplates(Map.of("application/json", "{\"status\":\"ok\"}"))
                .build()))
            .build(),
        PublicMethodOptions.builder()
            .reason("Health check for the load balancer; answered by API Gateway, returns no data")
            .methodResponses(List.of(MethodResponse.builder().statusCode("200").build()))
            .build());

    // What a tenant needs next: the token endpoint, the API's URL, and where its credentials are.
    CfnOutput.Builder.create(stack, "TokenEndpoint").value(pool.getTokenEndpoint()).build();
    CfnOutput.Builder.create(stack, "ApiUrl").value(api.getUrl()).build();
    CfnOutput.Builder.create(stack, "GlobexCredentials").value(globex.getSecret().getSecretArn()).build();
    CfnOutput.Builder.create(stack, "InitechCredentials").value(initech.getSecret().getSecretArn()).build();

    app.synth();
  }

  /**
   * One integration per method, each with its own HTTP method; the backend gets the caller's
   * tenant, client id and scopes as headers, from the authorizer (not from the caller).
   */
  private static HttpIntegration backend(final ScopedRestApi api, final String httpMethod) {
    return new HttpIntegration("https://backend.acme.example/orders", HttpIntegrationProps.builder()
        .httpMethod(httpMethod)
        .options(IntegrationOptions.builder().requestParameters(api.callerContextHeaders()).build())
        .build());
  }
}

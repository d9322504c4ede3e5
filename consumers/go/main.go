// The README's Quick start, in Go, against the cdk-cognito-m2m Go module that
// jsii-pacmak generates.
//
// A pool with a resource server and two tenants, a ScopedRestApi with scoped
// GET/POST /orders and a public GET /health, and the four outputs a tenant needs.
// Kept equivalent to the TypeScript Quick start in README.md, so that both
// synthesize the same template (scripts/go-consumer.sh compares them).
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-cognito-m2m/cdk-cognito-m2m-go/cdkcognitom2m"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Orders"), nil)

	pool := cdkcognitom2m.NewM2mUserPool(stack, jsii.String("Pool"), &cdkcognitom2m.M2mUserPoolProps{
		DomainPrefix: jsii.String("acme-m2m"),
	})
	orders := pool.AddResourceServer(jsii.String("Orders"), &cdkcognitom2m.ResourceServerOptions{
		Identifier: jsii.String("https://api.acme.example/orders"),
		Scopes: &[]*cdkcognitom2m.ScopeDefinition{
			{Name: jsii.String("read"), Description: jsii.String("Read orders")},
			{Name: jsii.String("write"), Description: jsii.String("Create and change orders")},
		},
	})

	// One app client per tenant, with the least scopes it needs.
	globex := pool.AddTenant(jsii.String("globex"), &cdkcognitom2m.TenantAppClientOptions{
		Scopes:              &[]awscognito.OAuthScope{orders.Scope(jsii.String("read")), orders.Scope(jsii.String("write"))},
		AccessTokenValidity: awscdk.Duration_Minutes(jsii.Number(15)),
	})
	initech := pool.AddTenant(jsii.String("initech"), &cdkcognitom2m.TenantAppClientOptions{
		Scopes: &[]awscognito.OAuthScope{orders.Scope(jsii.String("read"))},
	})

	api := cdkcognitom2m.NewScopedRestApi(stack, jsii.String("Api"), &cdkcognitom2m.ScopedRestApiProps{UserPool: pool})

	// One integration per method, each with its own HTTP method; the backend gets the
	// caller's tenant, client id and scopes as headers, from the authorizer (not from the caller).
	backend := func(httpMethod string) awsapigateway.HttpIntegration {
		return awsapigateway.NewHttpIntegration(jsii.String("https://backend.acme.example/orders"), &awsapigateway.HttpIntegrationProps{
			HttpMethod: jsii.String(httpMethod),
			Options:    &awsapigateway.IntegrationOptions{RequestParameters: api.CallerContextHeaders()},
		})
	}
	res := api.Root().AddResource(jsii.String("orders"), nil)
	api.AddScopedMethod(res, jsii.String("GET"), backend("GET"), &cdkcognitom2m.ScopedMethodOptions{
		Scopes: &[]awscognito.OAuthScope{orders.Scope(jsii.String("read"))},
	})
	api.AddScopedMethod(res, jsii.String("POST"), backend("POST"), &cdkcognitom2m.ScopedMethodOptions{
		Scopes: &[]awscognito.OAuthScope{orders.Scope(jsii.String("write"))},
	})
	// A health check that API Gateway answers itself: it reaches no backend and returns no data.
	api.AddPublicMethod(api.Root().AddResource(jsii.String("health"), nil), jsii.String("GET"),
		awsapigateway.NewMockIntegration(&awsapigateway.IntegrationOptions{
			RequestTemplates: &map[string]*string{"application/json": jsii.String(`{"statusCode": 200}`)},
			IntegrationResponses: &[]*awsapigateway.IntegrationResponse{{
				StatusCode:        jsii.String("200"),
				ResponseTemplates: &map[string]*string{"application/json": jsii.String(`{"status":"ok"}`)},
			}},
		}),
		&cdkcognitom2m.PublicMethodOptions{
			Reason:          jsii.String("Health check for the load balancer; answered by API Gateway, returns no data"),
			MethodResponses: &[]*awsapigateway.MethodResponse{{StatusCode: jsii.String("200")}},
		})

	// What a tenant needs next: the token endpoint, the API's URL, and where its credentials are.
	awscdk.NewCfnOutput(stack, jsii.String("TokenEndpoint"), &awscdk.CfnOutputProps{Value: pool.TokenEndpoint()})
	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: api.Url()})
	awscdk.NewCfnOutput(stack, jsii.String("GlobexCredentials"), &awscdk.CfnOutputProps{Value: globex.Secret().SecretArn()})
	awscdk.NewCfnOutput(stack, jsii.String("InitechCredentials"), &awscdk.CfnOutputProps{Value: initech.Secret().SecretArn()})

	app.Synth(nil)
}

module example.com/orders-cdk

go 1.25.0

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.257.0
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk-cognito-m2m/cdk-cognito-m2m-go/cdkcognitom2m v0.0.0
)

// scripts/go-consumer.sh points this at the module jsii-pacmak generates.
replace github.com/cdk-cognito-m2m/cdk-cognito-m2m-go/cdkcognitom2m => ../../dist/go/cdkcognitom2m

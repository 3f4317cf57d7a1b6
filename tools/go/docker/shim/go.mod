// The exported entry point to the Terraform Docker provider, whose provider package is internal/.
// A nested module under the provider's own module path may import its internal/ packages (Go
// checks internal/ by import path in module mode), so nothing of the upstream source is copied.
// This is what pulumi/pulumi-docker's patches/0001-Add-shim.NewProvider-to-expose-internal-provider.New.patch
// adds to the upstream tree.
module github.com/terraform-providers/terraform-provider-docker/shim

go 1.25.8

require (
	github.com/hashicorp/terraform-plugin-sdk/v2 v2.40.1
	github.com/terraform-providers/terraform-provider-docker v0.0.0
)

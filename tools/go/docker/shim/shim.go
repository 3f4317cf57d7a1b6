// Package shim exposes the Terraform Docker provider's SDKv2 provider to the Pulumi bridge, as
// pulumi/pulumi-docker's patch 0001 (shim/shim.go) does.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the provider's SDKv2 part (internal/provider.New), which holds
// docker_container and every resource the Pulumi Docker package maps.
func NewProvider() *schema.Provider {
	return provider.New("dev")()
}

// Command pulumi-resource-kubernetes is the project's own entry point for the
// Kubernetes resource plugin. The upstream main package embeds generated files
// (schema-embed.json, terraform-mapping-embed.json) that are not part of the
// published Go module, so scripts/tools.sh generates them next to this file
// from the module's committed schema.json / terraform-mapping.json before
// building. The plugin version is set with
// -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=<v>.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}

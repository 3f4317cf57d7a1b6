// pulumi-resource-docker: the Pulumi Docker resource plugin, bridged from the Terraform Docker
// provider with pulumi-terraform-bridge (the path contains "pulumi-resource", which is how the
// bridge knows it runs as a provider: pkg/tfbridge/runtime.go).
package main

import (
	"encoding/json"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	docker "scrape-anywhere/tools/docker"
)

// Stamped by scripts/tools.sh with -X main.version=<npm @pulumi/docker version>.
var version = "0.0.0-dev"

func main() {
	prov := docker.Provider(version)
	if len(os.Args) == 2 && os.Args[1] == "-print-names" {
		// For the docker tier's check against the npm SDK: the Pulumi names the bridge gives.
		if err := json.NewEncoder(os.Stdout).Encode(docker.PulumiNames(prov)); err != nil {
			os.Exit(1)
		}
		return
	}
	// No package schema: the engine asks a provider for its schema only for code generation and
	// conversion, and without one the bridge skips the optional config type check (provider.go).
	tfbridge.Main("docker", version, prov, nil)
}

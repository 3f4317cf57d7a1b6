// Package docker maps the Terraform Docker provider (kreuzwerker/terraform-provider-docker) to the
// Pulumi package `docker`, with the tokens and property names of npm @pulumi/docker 4.11.2.
//
// The mapping is pulumi/pulumi-docker's provider/resources.go at tag v4.11.2, reduced to what
// decides tokens and names at run time: the token strategy (SingleModule "docker_" -> "index",
// MakeStandard), the explicit tokens and field renames upstream sets, and the `host` config.
// Docs, SDK-generation settings and the native `docker:index/image:Image` resource (upstream's
// provider/image.go, hybrid.go) are left out: this program uses none of them.
package docker

import (
	"context"
	"runtime"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	tfbridgetokens "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

const (
	dockerPkg = "docker"
	dockerMod = "index"
)

// The default daemon address, as upstream's defaultDockerProviderHost.
func defaultHost() string {
	if runtime.GOOS == "windows" {
		return "npipe:////./pipe/docker_engine"
	}
	return "unix:///var/run/docker.sock"
}

// Provider is the bridge's ProviderInfo for the Docker package.
func Provider(version string) tfbridge.ProviderInfo {
	prov := tfbridge.ProviderInfo{
		P:       shimv2.NewProvider(shim.NewProvider()),
		Name:    "docker",
		Version: version,
		Config: map[string]*tfbridge.SchemaInfo{
			"host": {
				Default: &tfbridge.DefaultInfo{
					EnvVars: []string{"DOCKER_HOST"},
					ComputeDefault: func(context.Context, tfbridge.ComputeDefaultOptions) (interface{}, error) {
						return defaultHost(), nil
					},
				},
			},
			"registry_auth": {Name: "registryAuth", MaxItemsOne: tfbridge.False()},
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_config": {Tok: tfbridge.MakeResource(dockerPkg, dockerMod, "ServiceConfig")},
			"docker_container": {
				Tok:                 tfbridge.MakeResource(dockerPkg, dockerMod, "Container"),
				DeleteBeforeReplace: true,
				Fields: map[string]*tfbridge.SchemaInfo{
					// A list, but one command: not pluralised (upstream's comment).
					"command":           {Name: "command"},
					"networks_advanced": {Name: "networksAdvanced"},
				},
			},
			"docker_image": {
				Tok:    tfbridge.MakeResource(dockerPkg, dockerMod, "RemoteImage"),
				Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
			},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image": {Tok: tfbridge.MakeDataSource(dockerPkg, dockerMod, "getRemoteImage")},
		},
		// Upstream embeds its tfgen-generated bridge-metadata.json; at run time the bridge reads only
		// its "auto-settings", which are empty ({}) in v4.11.2, so an empty document is equivalent.
		MetadataInfo: tfbridge.NewProviderMetadata([]byte("{}")),
	}
	// Every other resource and data source gets the standard token, as upstream computes them.
	prov.MustComputeTokens(tfbridgetokens.SingleModule("docker_", dockerMod, tfbridgetokens.MakeStandard(dockerPkg)))
	prov.MustApplyAutoAliases()
	prov.SetAutonaming(255, "-")
	return prov
}

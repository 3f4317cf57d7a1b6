package docker

import (
	"sort"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
)

// Names are the top-level Pulumi property names of the provider config and of every mapped resource
// and data source, by token, as the bridge translates them at run time (TerraformToPulumiNameV2).
type Names struct {
	Config      []string            `json:"config"`
	Resources   map[string][]string `json:"resources"`
	DataSources map[string][]string `json:"dataSources"`
}

func pulumiNames(sch shim.SchemaMap, fields map[string]*tfbridge.SchemaInfo) []string {
	out := []string{}
	sch.Range(func(key string, _ shim.Schema) bool {
		out = append(out, tfbridge.TerraformToPulumiNameV2(key, sch, fields))
		return true
	})
	sort.Strings(out)
	return out
}

// PulumiNames lists the names of prov.
func PulumiNames(prov tfbridge.ProviderInfo) Names {
	n := Names{
		Config:      pulumiNames(prov.P.Schema(), prov.Config),
		Resources:   map[string][]string{},
		DataSources: map[string][]string{},
	}
	prov.P.ResourcesMap().Range(func(key string, r shim.Resource) bool {
		if info := prov.Resources[key]; info != nil {
			n.Resources[string(info.Tok)] = pulumiNames(r.Schema(), info.Fields)
		}
		return true
	})
	prov.P.DataSourcesMap().Range(func(key string, r shim.Resource) bool {
		if info := prov.DataSources[key]; info != nil {
			n.DataSources[string(info.Tok)] = pulumiNames(r.Schema(), info.Fields)
		}
		return true
	})
	return n
}

package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageManifest is the part of a package.json this host reads.
type packageManifest struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	Pulumi               *pluginManifest   `json:"pulumi"`
}

// pluginManifest is the Pulumi plugin a Node.js package brings: the "pulumi"
// section of its package.json or its pulumi-plugin.json.
type pluginManifest struct {
	Resource         bool   `json:"resource"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	Server           string `json:"server"`
	Parameterization *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Value   string `json:"value"` // base64
	} `json:"parameterization"`
}

func readPackageManifest(dir string) (*packageManifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var m packageManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", filepath.Join(dir, "package.json"), err)
	}
	return &m, nil
}

// findPackageManifest finds the package.json that governs dir: in dir or the
// nearest parent directory.
func findPackageManifest(dir string) (string, *packageManifest, error) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			m, err := readPackageManifest(d)
			return d, m, err
		}
		if filepath.Dir(d) == d {
			return "", nil, fmt.Errorf("no package.json found in %s or any parent directory", dir)
		}
	}
}

// resolveNodeModule finds an installed npm module (or a path inside one) the way
// node's require does for a bare specifier: in the node_modules folder of
// fromDir or of its nearest parent that has it.
func resolveNodeModule(fromDir, module string) (string, error) {
	for d := filepath.Clean(fromDir); ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", filepath.FromSlash(module))
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("could not find the npm module %q from %s; run `npm install` (or `npm ci`) there first",
		module, fromDir)
}

// requiredPackages walks the npm dependency tree of the program in dir and
// returns the resource plugins its packages declare.
func requiredPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	root, manifest, err := findPackageManifest(dir)
	if err != nil {
		return nil, err
	}

	seenDirs := map[string]bool{}
	found := map[string]*pulumirpc.PackageDependency{}

	var visit func(fromDir string, deps map[string]string) error
	visit = func(fromDir string, deps map[string]string) error {
		names := make([]string, 0, len(deps))
		for n := range deps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			pkgDir, err := resolveNodeModule(fromDir, name)
			if err != nil {
				continue // not installed (e.g. an optional dependency of another platform)
			}
			real, err := filepath.EvalSymlinks(pkgDir)
			if err != nil {
				real = pkgDir
			}
			if seenDirs[real] {
				continue
			}
			seenDirs[real] = true

			m, err := readPackageManifest(pkgDir)
			if err != nil {
				continue
			}
			plugin, err := pluginOf(pkgDir, m)
			if err != nil {
				return err
			}
			if plugin != nil {
				found[plugin.GetName()+"@"+plugin.GetVersion()] = plugin
			}
			if err := visit(pkgDir, merge(m.Dependencies, m.OptionalDependencies)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(root, merge(manifest.Dependencies, manifest.DevDependencies, manifest.OptionalDependencies)); err != nil {
		return nil, err
	}

	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	result := make([]*pulumirpc.PackageDependency, 0, len(keys))
	for _, k := range keys {
		result = append(result, found[k])
	}
	return result, nil
}

// pluginOf returns the resource plugin a package declares, or nil.
func pluginOf(pkgDir string, m *packageManifest) (*pulumirpc.PackageDependency, error) {
	var plugin *pluginManifest
	if b, err := os.ReadFile(filepath.Join(pkgDir, "pulumi-plugin.json")); err == nil {
		plugin = &pluginManifest{}
		if err := json.Unmarshal(b, plugin); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", filepath.Join(pkgDir, "pulumi-plugin.json"), err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	} else {
		plugin = m.Pulumi
	}
	if plugin == nil || !plugin.Resource {
		return nil, nil
	}

	name := plugin.Name
	if name == "" {
		// Upstream convention: @pulumi/<name> brings the <name> plugin.
		name = strings.TrimPrefix(m.Name, "@pulumi/")
	}
	version := plugin.Version
	if version == "" {
		version = m.Version
	}
	dep := &pulumirpc.PackageDependency{
		Name:    name,
		Kind:    "resource",
		Version: strings.TrimPrefix(version, "v"),
		Server:  plugin.Server,
	}
	if p := plugin.Parameterization; p != nil {
		value, err := base64.StdEncoding.DecodeString(p.Value)
		if err != nil {
			return nil, fmt.Errorf("parameterization value of %s is not base64: %w", pkgDir, err)
		}
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: p.Name, Version: p.Version, Value: value}
	}
	return dep, nil
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Exit code the npm runner uses after it has already reported the error to the
// engine (through the engine's Log RPC). The engine must not print another,
// generic error for it: that is a "bail".
const exitCodeErrorAlreadyReported = 32

// Scripts of the npm @pulumi/pulumi package this host runs with node.
const (
	runProgramScript    = "@pulumi/pulumi/cmd/run"
	runPolicyPackScript = "@pulumi/pulumi/cmd/run-policy-pack"
	runPluginScript     = "@pulumi/pulumi/cmd/run-plugin"
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
	children      map[*exec.Cmd]struct{}
}

func newHost(engineAddress, tracing string) *host {
	return &host{engineAddress: engineAddress, tracing: tracing, children: map[*exec.Cmd]struct{}{}}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// track registers a started child process so it can be killed when the engine
// goes away; the returned function unregisters it.
func (h *host) track(cmd *exec.Cmd) func() {
	h.mu.Lock()
	h.children[cmd] = struct{}{}
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		delete(h.children, cmd)
		h.mu.Unlock()
	}
}

func (h *host) killAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.children {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	}
}

// runtimeOptions are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml
// this host honours.
type runtimeOptions struct {
	typescript bool     // register ts-node (default true)
	tsconfig   string   // tsconfig path passed to the runner
	nodeargs   []string // extra node arguments
}

func optionsOf(info *pulumirpc.ProgramInfo) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return opts
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeargs = strings.Fields(v)
	}
	return opts
}

// programInfo returns the request's ProgramInfo, building one from the
// deprecated pwd/program fields for older callers.
func programInfo(info *pulumirpc.ProgramInfo, pwd, program string) *pulumirpc.ProgramInfo {
	if info != nil && info.GetProgramDirectory() != "" {
		return info
	}
	if program == "" {
		program = "."
	}
	dir := pwd
	if filepath.IsAbs(program) {
		dir, program = program, "."
	}
	return &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: program}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (
	*pulumirpc.LanguageHandshakeResponse, error,
) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	// Programs stop on their own when the engine closes the resource monitor.
	return &emptypb.Empty{}, nil
}

// Run runs a Pulumi program with the npm runner (@pulumi/pulumi/cmd/run) in node.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := programInfo(req.GetInfo(), req.GetPwd(), req.GetProgram())
	opts := optionsOf(info)
	progDir := info.GetProgramDirectory()
	pwd := req.GetPwd()
	if pwd == "" {
		pwd = progDir
	}

	script, err := resolveNodeModule(progDir, runProgramScript)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	// The runner resolves "." through package.json (main/exports) in its working directory.
	program := info.GetEntryPoint()
	if program == "" {
		program = "."
	}
	if program != "." || filepath.Clean(progDir) != filepath.Clean(pwd) {
		program = filepath.Join(progDir, program)
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, script,
		"--monitor="+req.GetMonitorAddress(),
		"--engine="+h.engine(),
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+pwd,
	)
	if org := req.GetOrganization(); org != "" {
		args = append(args, "--organization="+org)
	}
	if root := info.GetRootDirectory(); root != "" {
		args = append(args, "--root-directory="+root)
	}
	if req.GetParallel() > 0 {
		args = append(args, "--parallel="+strconv.Itoa(int(req.GetParallel())))
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if h.tracing != "" {
		args = append(args, "--tracing="+h.tracing)
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(nonNil(req.GetConfig()))
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(nonNilSlice(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.CommandContext(ctx, "node", args...) //nolint:gosec // the engine's request
	cmd.Dir = pwd
	cmd.Env = env
	// The engine shows the host's own output as the program's console output.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = 5 * time.Second
	logging.V(5).Infof("Run: node %v (in %s)", args, pwd)

	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start node: %v", err)}, nil
	}
	untrack := h.track(cmd)
	err = cmd.Wait()
	untrack()

	switch code := exitCode(err); {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case code == exitCodeErrorAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case code > 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program failed: %v", err)}, nil
	}
}

// RunPlugin runs a plugin written for Node.js: a policy pack (kind "analyzer")
// or a resource/tool plugin, streaming its output and exit code to the engine.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	info := programInfo(req.GetInfo(), req.GetPwd(), req.GetProgram())
	opts := optionsOf(info)
	dir := info.GetProgramDirectory()

	scriptName := runPluginScript
	if req.GetKind() == "analyzer" {
		scriptName = runPolicyPackScript
	}
	script, err := resolveNodeModule(dir, scriptName)
	if err != nil {
		if req.GetKind() == "analyzer" {
			// The engine recognises this wording and tells the user to install the pack's dependencies.
			return fmt.Errorf("Cannot find module '%s': %w", runPolicyPackScript, err)
		}
		return err
	}

	pluginArgs := withoutEngineLogFlags(req.GetArgs())
	args := append([]string{}, opts.nodeargs...)
	args = append(args, script)
	if req.GetKind() == "analyzer" {
		// usage: run-policy-pack <engine-address> <policy-pack-directory>
		args = append(args, pluginArgs...)
		args = append(args, dir)
	} else {
		// usage: run-plugin <plugin-directory> [args...]
		args = append(args, dir)
		args = append(args, pluginArgs...)
	}

	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript))

	cmd := exec.CommandContext(server.Context(), "node", args...) //nolint:gosec // the engine's request
	// The plugin's own directory, so that its tsconfig.json is the one ts-node uses.
	cmd.Dir = dir
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	logging.V(5).Infof("RunPlugin: node %v (in %s)", args, dir)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start node: %w", err)
	}
	untrack := h.track(cmd)
	defer untrack()

	var sendMu sync.Mutex
	send := func(resp *pulumirpc.RunPluginResponse) error {
		sendMu.Lock()
		defer sendMu.Unlock()
		return server.Send(resp)
	}
	var wg sync.WaitGroup
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		defer wg.Done()
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if sendErr := send(wrap(append([]byte(nil), buf[:n]...))); sendErr != nil {
					_ = cmd.Process.Kill()
				}
			}
			if err != nil {
				return
			}
		}
	}
	wg.Add(2)
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	wg.Wait()
	waitErr := cmd.Wait()

	code := exitCode(waitErr)
	if waitErr != nil && code <= 0 {
		code = 1
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// withoutEngineLogFlags drops the engine's logging flags (--logtostderr, -v=N,
// --tracing URL) from plugin arguments: the npm runners parse their arguments with
// minimist, which would take the following positional argument (the engine
// address) as the value of a bare --logtostderr.
func withoutEngineLogFlags(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--logtostderr" || a == "-logtostderr":
		case strings.HasPrefix(a, "-v=") || strings.HasPrefix(a, "--v="):
		case a == "--tracing" || a == "-tracing":
			i++ // and its value
		case strings.HasPrefix(a, "--tracing=") || strings.HasPrefix(a, "-tracing="):
		default:
			out = append(out, a)
		}
	}
	return out
}

func (h *host) GetRequiredPackages(_ context.Context, req *pulumirpc.GetRequiredPackagesRequest) (
	*pulumirpc.GetRequiredPackagesResponse, error,
) {
	info := programInfo(req.GetInfo(), "", "")
	pkgs, err := requiredPackages(info.GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

//nolint:staticcheck // still called by older engines
func (h *host) GetRequiredPlugins(_ context.Context, req *pulumirpc.GetRequiredPluginsRequest) (
	*pulumirpc.GetRequiredPluginsResponse, error,
) {
	info := programInfo(req.GetInfo(), req.GetPwd(), req.GetProgram())
	pkgs, err := requiredPackages(info.GetProgramDirectory())
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, p := range pkgs {
		if p.GetParameterization() != nil {
			continue // not expressible as a plain plugin
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.GetName(), Kind: p.GetKind(), Version: p.GetVersion(), Server: p.GetServer(),
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node was not found on PATH; install Node.js 20 or later")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GetProgramDependencies lists the program's direct npm dependencies with the
// versions installed in node_modules (transitive dependencies are not listed).
func (h *host) GetProgramDependencies(_ context.Context, req *pulumirpc.GetProgramDependenciesRequest) (
	*pulumirpc.GetProgramDependenciesResponse, error,
) {
	info := programInfo(req.GetInfo(), "", "")
	dir := info.GetProgramDirectory()
	root, manifest, err := findPackageManifest(dir)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for n := range manifest.Dependencies {
		names[n] = true
	}
	for n := range manifest.DevDependencies {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var deps []*pulumirpc.DependencyInfo
	for _, n := range sorted {
		pkgDir, err := resolveNodeModule(root, n)
		if err != nil {
			continue // declared but not installed
		}
		m, err := readPackageManifest(pkgDir)
		if err != nil {
			continue
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: m.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// InstallDependencies runs `npm ci` (with a package-lock.json) or `npm install`
// in the program's directory, streaming npm's output to the engine.
func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := req.GetDirectory()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	root, _, err := findPackageManifest(dir)
	if err != nil {
		return err
	}
	verb := "install"
	if _, err := os.Stat(filepath.Join(root, "package-lock.json")); err == nil {
		verb = "ci"
	}
	cmd := exec.CommandContext(server.Context(), "npm", verb, "--no-audit", "--no-fund")
	cmd.Dir = root
	var mu sync.Mutex
	cmd.Stdout = streamWriter(func(b []byte) error {
		mu.Lock()
		defer mu.Unlock()
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	})
	cmd.Stderr = streamWriter(func(b []byte) error {
		mu.Lock()
		defer mu.Unlock()
		return server.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	})
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm %s in %s failed: %w", verb, root, err)
	}
	return nil
}

type streamWriter func([]byte) error

func (w streamWriter) Write(b []byte) (int, error) {
	if err := w(append([]byte(nil), b...)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// exitCode is the process exit code for err from cmd.Wait: 0 for nil, the code
// for a normal non-zero exit and -1 when the process did not exit normally.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Exited() {
			return ws.ExitStatus()
		}
	}
	return -1
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

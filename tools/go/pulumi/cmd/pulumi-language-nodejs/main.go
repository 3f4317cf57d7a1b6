// Command pulumi-language-nodejs is scrape-anywhere's own Node.js language host
// for the Pulumi engine.
//
// The upstream language host lives in a Go module that the module proxy does not
// serve, so the project provides a small one of its own. It implements what the
// Pulumi CLI (v3.248.0) needs to run a TypeScript/JavaScript program and a
// TypeScript policy pack with the npm @pulumi/pulumi runner:
//
//   - Run:                 runs the program with @pulumi/pulumi/cmd/run (up, preview, refresh, destroy)
//   - RunPlugin:           runs a policy pack (@pulumi/pulumi/cmd/run-policy-pack) or a Node.js plugin
//     (@pulumi/pulumi/cmd/run-plugin)
//   - GetRequiredPackages: reports the resource plugins of the npm packages the program depends on
//   - GetPluginInfo, Handshake, About, GetProgramDependencies, InstallDependencies, Cancel
//
// Code generation (GenerateProject/Package/Program, Pack, Link, Template) is not
// implemented; the CLI reports those as unsupported.
//
// Protocol: the engine starts the host with optional logging flags
// (--logtostderr, -v=N, --tracing URL) followed by the engine's gRPC address as
// the last argument. The host listens on a free local port and prints that port
// as the first line of its stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	if err := serve(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func serve(argv []string) error {
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	logToStderr := flags.Bool("logtostderr", false, "log to stderr")
	verbose := flags.Int("v", 0, "log verbosity")
	tracing := flags.String("tracing", "", "tracing endpoint to pass on to programs")
	// Accepted for compatibility with the upstream host's command line; the same
	// settings are read from the project's runtime options on each request.
	flags.String("root", "", "unused")
	flags.Bool("typescript", true, "unused")
	flags.String("tsconfig", "", "unused")
	flags.String("nodeargs", "", "unused")
	flags.String("packagemanager", "", "unused")
	if err := flags.Parse(argv); err != nil {
		return err
	}
	logging.InitLogging(*logToStderr, *verbose, false)

	// The engine address is optional: when the host is attached to instead of
	// started (PULUMI_DEBUG_LANGUAGES), the engine sends it with Handshake.
	var engineAddress string
	if args := flags.Args(); len(args) > 0 {
		engineAddress = args[len(args)-1]
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if engineAddress != "" {
		// Exit when the engine goes away, so no host outlives its CLI.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 10*time.Second, cancel); err != nil {
			return fmt.Errorf("could not start health check against the engine: %w", err)
		}
	}

	host := newHost(engineAddress, *tracing)
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		host.killAll()
		close(stop)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		return fmt.Errorf("could not start the language host's gRPC server: %w", err)
	}

	// The engine reads this line to learn where to connect.
	fmt.Printf("%d\n", handle.Port)

	return <-handle.Done
}

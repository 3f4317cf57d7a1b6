//go:build tools

// Package tools pins the containerd commands the local clusters' real nodes run: the daemon, its
// runc shim and ctr (image import). Built with -tags no_btrfs: the btrfs snapshotter needs cgo.
package tools

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)

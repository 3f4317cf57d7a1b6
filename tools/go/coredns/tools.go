//go:build tools

// Package tools pins CoreDNS, the cluster DNS of the local clusters' real nodes (its main package is the module root).
package tools

import _ "github.com/coredns/coredns"

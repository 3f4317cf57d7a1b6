// Command etcd is the upstream etcd server (go.etcd.io/etcd/server/v3 etcdmain), built from its
// published module because the Debian package is older than kube-apiserver v1.37 needs.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/portofentry/booth/jetstream"
)

func runPKI(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "pki: init or issue")
	}
	fs := newFlags("pki "+args[0], stderr)
	dir := fs.String("dir", "", "PKI directory")
	switch args[0] {
	case "init":
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if *dir == "" {
			return usageError(stderr, "pki init: --dir is required")
		}
		if err := jetstream.InitCA(*dir); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "national CA created in %s\n", *dir)
		return 0
	case "issue":
		node := fs.String("node", "", "hub node name (NAME.crt/key)")
		port := fs.String("port", "", "port code (port-CODE.crt/key)")
		lss := fs.String("lss", "", "LSS workstation id (lss-ID.crt/key)")
		hosts := fs.String("host", "", "a node's extra DNS names or IP addresses, comma-separated (localhost and 127.0.0.1 always)")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if *dir == "" {
			return usageError(stderr, "pki issue: --dir is required")
		}
		kind, name, n := "", "", 0
		for _, c := range []struct{ k, v string }{{jetstream.CertNode, *node}, {jetstream.CertPort, *port}, {jetstream.CertLSS, *lss}} {
			if c.v != "" {
				kind, name = c.k, c.v
				n++
			}
		}
		if n != 1 {
			return usageError(stderr, "pki issue: give exactly one of --node, --port, --lss")
		}
		var hs []string
		if *hosts != "" {
			hs = strings.Split(*hosts, ",")
		}
		path, err := jetstream.IssueCert(*dir, kind, name, hs)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "issued %s\n", path)
		return 0
	}
	return usageError(stderr, "pki: unknown command %q (init or issue)", args[0])
}

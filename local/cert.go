package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/onair/onair/local/internal/devcert"
)

// certCommand creates (first time) or loads the stack's development
// certificate and prints the CA's PEM path (for `make trust`), or with -info
// a description of what was found.
func certCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("local cert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", ".local-data", "the stack's data directory")
	info := fs.Bool("info", false, "describe the certificates instead of printing the CA path")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	c, err := devcert.Load(*dataDir, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "local cert:", err)
		return 1
	}
	if !*info {
		fmt.Fprintln(stdout, c.CAPath)
		return 0
	}
	fmt.Fprintf(stdout, "CA          %s\n            %s, valid until %s\n", c.CAPath, c.CA.Subject.CommonName, c.CA.NotAfter.Format(time.DateOnly))
	fmt.Fprintf(stdout, "certificate %s (key %s)\n            %v %v, valid until %s\n", c.CertPath, c.KeyPath,
		c.Leaf.DNSNames, c.Leaf.IPAddresses, c.Leaf.NotAfter.Format(time.DateOnly))
	return 0
}

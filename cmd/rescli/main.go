// Command rescli reproduces, injects and watches Redis resilience problems.
package main

import (
	"os"

	"github.com/rescli/rescli/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}, os.Getenv))
}

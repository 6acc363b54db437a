// Command local is onair's offline stack: `make dev` runs the whole product on
// one machine (no AWS account, no Docker); `local invoke` runs one function's
// real binary under an in-repo Lambda Runtime API (make invoke).
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 && args[0] == "invoke" {
		return invokeCommand(args[1:])
	}
	return devCommand(args)
}

func devCommand(args []string) int {
	fmt.Fprintln(os.Stderr, "local: the offline stack is not assembled yet")
	return 1
}

func invokeCommand(args []string) int {
	fmt.Fprintln(os.Stderr, "local invoke: not assembled yet")
	return 1
}

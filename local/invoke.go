package main

import "github.com/onair/onair/local/internal/invoke"

// invokeCommand runs one function's real binary under the in-repo Lambda
// Runtime API (make invoke FN=… EVENT=…).
func invokeCommand(args []string) int { return invoke.Main(args) }

// Command ResetStreamKey is the Lambda function ResetStreamKey of template.yaml; its builder is
// shared/functions/resetstreamkey.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/resetstreamkey"
)

func main() { app.Run(resetstreamkey.Function()) }

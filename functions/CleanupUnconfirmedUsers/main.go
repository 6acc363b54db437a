// Command CleanupUnconfirmedUsers is the Lambda function CleanupUnconfirmedUsers of template.yaml; its builder is
// shared/functions/cleanupunconfirmedusers.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/cleanupunconfirmedusers"
)

func main() { app.Run(cleanupunconfirmedusers.Function()) }

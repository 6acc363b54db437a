// Command StreamEvents is the Lambda function StreamEvents of template.yaml; its builder is
// shared/functions/streamevents.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/streamevents"
)

func main() { app.Run(streamevents.Function()) }

// Command SendStreamAction is the Lambda function SendStreamAction of template.yaml; its builder is
// shared/functions/sendstreamaction.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/sendstreamaction"
)

func main() { app.Run(sendstreamaction.Function()) }

// Command ListChannels is the Lambda function ListChannels of template.yaml; its builder is
// shared/functions/listchannels.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/listchannels"
)

func main() { app.Run(listchannels.Function()) }

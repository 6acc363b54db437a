// Command CreateChannelResources is the Lambda function CreateChannelResources of template.yaml; its builder is
// shared/functions/createchannelresources.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/createchannelresources"
)

func main() { app.Run(createchannelresources.Function()) }

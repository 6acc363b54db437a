// Command UnfollowChannel is the Lambda function UnfollowChannel of template.yaml; its builder is
// shared/functions/unfollowchannel.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/unfollowchannel"
)

func main() { app.Run(unfollowchannel.Function()) }

// Command FollowChannel is the Lambda function FollowChannel of template.yaml; its builder is
// shared/functions/followchannel.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/followchannel"
)

func main() { app.Run(followchannel.Function()) }

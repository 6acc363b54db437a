// Command SetUpChatRooms is the Lambda function SetUpChatRooms of template.yaml; its builder is
// shared/functions/setupchatrooms.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/setupchatrooms"
)

func main() { app.Run(setupchatrooms.Function()) }

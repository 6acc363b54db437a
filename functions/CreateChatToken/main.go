// Command CreateChatToken is the Lambda function CreateChatToken of template.yaml; its builder is
// shared/functions/createchattoken.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/createchattoken"
)

func main() { app.Run(createchattoken.Function()) }

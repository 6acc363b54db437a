// Command InviteToStage is the Lambda function InviteToStage of template.yaml; its builder is
// shared/functions/invitetostage.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/invitetostage"
)

func main() { app.Run(invitetostage.Function()) }

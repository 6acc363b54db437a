// Command RevokeStageInvite is the Lambda function RevokeStageInvite of template.yaml; its builder is
// shared/functions/revokestageinvite.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/revokestageinvite"
)

func main() { app.Run(revokestageinvite.Function()) }

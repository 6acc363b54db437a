// Command DisconnectStageParticipant is the Lambda function DisconnectStageParticipant of template.yaml; its builder is
// shared/functions/disconnectstageparticipant.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/disconnectstageparticipant"
)

func main() { app.Run(disconnectstageparticipant.Function()) }

// Command StageEvents is the Lambda function StageEvents of template.yaml; its builder is
// shared/functions/stageevents.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/stageevents"
)

func main() { app.Run(stageevents.Function()) }

// Command CreateStage is the Lambda function CreateStage of template.yaml; its builder is
// shared/functions/createstage.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/createstage"
)

func main() { app.Run(createstage.Function()) }

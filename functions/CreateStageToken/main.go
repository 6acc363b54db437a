// Command CreateStageToken is the Lambda function CreateStageToken of template.yaml; its builder is
// shared/functions/createstagetoken.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/createstagetoken"
)

func main() { app.Run(createstagetoken.Function()) }

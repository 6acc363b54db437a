// Command GetStage is the Lambda function GetStage of template.yaml; its builder is
// shared/functions/getstage.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/getstage"
)

func main() { app.Run(getstage.Function()) }

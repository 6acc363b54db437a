// Command DeleteStage is the Lambda function DeleteStage of template.yaml; its builder is
// shared/functions/deletestage.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/deletestage"
)

func main() { app.Run(deletestage.Function()) }

// Command DeleteChannel is the Lambda function DeleteChannel of template.yaml; its builder is
// shared/functions/deletechannel.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/deletechannel"
)

func main() { app.Run(deletechannel.Function()) }

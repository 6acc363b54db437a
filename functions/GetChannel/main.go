// Command GetChannel is the Lambda function GetChannel of template.yaml; its builder is
// shared/functions/getchannel.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/getchannel"
)

func main() { app.Run(getchannel.Function()) }

// Command GetStreamActionPresets is the Lambda function GetStreamActionPresets of template.yaml; its builder is
// shared/functions/getstreamactionpresets.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/getstreamactionpresets"
)

func main() { app.Run(getstreamactionpresets.Function()) }

// Command PutStreamActionPresets is the Lambda function PutStreamActionPresets of template.yaml; its builder is
// shared/functions/putstreamactionpresets.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/putstreamactionpresets"
)

func main() { app.Run(putstreamactionpresets.Function()) }

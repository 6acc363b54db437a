// Command UpdatePreferences is the Lambda function UpdatePreferences of template.yaml; its builder is
// shared/functions/updatepreferences.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/updatepreferences"
)

func main() { app.Run(updatepreferences.Function()) }

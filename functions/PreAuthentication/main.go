// Command PreAuthentication is the Lambda function PreAuthentication of template.yaml; its builder is
// shared/functions/preauthentication.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/preauthentication"
)

func main() { app.Run(preauthentication.Function()) }

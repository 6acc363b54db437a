// Command UnbanUser is the Lambda function UnbanUser of template.yaml; its builder is
// shared/functions/unbanuser.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/unbanuser"
)

func main() { app.Run(unbanuser.Function()) }

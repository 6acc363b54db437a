// Command BanUser is the Lambda function BanUser of template.yaml; its builder is
// shared/functions/banuser.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/banuser"
)

func main() { app.Run(banuser.Function()) }

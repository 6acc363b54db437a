// Command UpdateUsername is the Lambda function UpdateUsername of template.yaml; its builder is
// shared/functions/updateusername.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/updateusername"
)

func main() { app.Run(updateusername.Function()) }

// Command CustomMessage is the Lambda function CustomMessage of template.yaml; its builder is
// shared/functions/custommessage.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/custommessage"
)

func main() { app.Run(custommessage.Function()) }

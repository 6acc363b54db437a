// Command GetActiveStreamAction is the Lambda function GetActiveStreamAction of template.yaml; its builder is
// shared/functions/getactivestreamaction.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/getactivestreamaction"
)

func main() { app.Run(getactivestreamaction.Function()) }

// Command ListStages is the Lambda function ListStages of template.yaml; its builder is
// shared/functions/liststages.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/liststages"
)

func main() { app.Run(liststages.Function()) }

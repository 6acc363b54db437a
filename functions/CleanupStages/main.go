// Command CleanupStages is the Lambda function CleanupStages of template.yaml; its builder is
// shared/functions/cleanupstages.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/cleanupstages"
)

func main() { app.Run(cleanupstages.Function()) }

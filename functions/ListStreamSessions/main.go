// Command ListStreamSessions is the Lambda function ListStreamSessions of template.yaml; its builder is
// shared/functions/liststreamsessions.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/liststreamsessions"
)

func main() { app.Run(liststreamsessions.Function()) }

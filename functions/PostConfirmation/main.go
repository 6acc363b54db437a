// Command PostConfirmation is the Lambda function PostConfirmation of template.yaml; its builder is
// shared/functions/postconfirmation.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/postconfirmation"
)

func main() { app.Run(postconfirmation.Function()) }

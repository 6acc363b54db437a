// Command ChatReview is the Lambda function ChatReview of template.yaml; its builder is
// shared/functions/chatreview.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/chatreview"
)

func main() { app.Run(chatreview.Function()) }

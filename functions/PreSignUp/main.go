// Command PreSignUp is the Lambda function PreSignUp of template.yaml; its builder is
// shared/functions/presignup.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/presignup"
)

func main() { app.Run(presignup.Function()) }

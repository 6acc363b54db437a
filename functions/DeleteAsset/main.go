// Command DeleteAsset is the Lambda function DeleteAsset of template.yaml; its builder is
// shared/functions/deleteasset.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/deleteasset"
)

func main() { app.Run(deleteasset.Function()) }

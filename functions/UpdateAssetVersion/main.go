// Command UpdateAssetVersion is the Lambda function UpdateAssetVersion of template.yaml; its builder is
// shared/functions/updateassetversion.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/updateassetversion"
)

func main() { app.Run(updateassetversion.Function()) }

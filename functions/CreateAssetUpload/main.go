// Command CreateAssetUpload is the Lambda function CreateAssetUpload of template.yaml; its builder is
// shared/functions/createassetupload.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/createassetupload"
)

func main() { app.Run(createassetupload.Function()) }

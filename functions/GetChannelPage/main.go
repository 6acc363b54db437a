// Command GetChannelPage is the Lambda function GetChannelPage of template.yaml; its builder is
// shared/functions/getchannelpage.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/getchannelpage"
)

func main() { app.Run(getchannelpage.Function()) }

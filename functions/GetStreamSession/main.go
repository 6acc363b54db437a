// Command GetStreamSession is the Lambda function GetStreamSession of template.yaml; its builder is
// shared/functions/getstreamsession.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/getstreamsession"
)

func main() { app.Run(getstreamsession.Function()) }

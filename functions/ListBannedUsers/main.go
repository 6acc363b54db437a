// Command ListBannedUsers is the Lambda function ListBannedUsers of template.yaml; its builder is
// shared/functions/listbannedusers.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/listbannedusers"
)

func main() { app.Run(listbannedusers.Function()) }

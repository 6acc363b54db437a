// Command GetFollowingList is the Lambda function GetFollowingList of template.yaml; its builder is
// shared/functions/getfollowinglist.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/getfollowinglist"
)

func main() { app.Run(getfollowinglist.Function()) }

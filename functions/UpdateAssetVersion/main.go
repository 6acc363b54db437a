package main

import "github.com/onair/onair/shared/app"

func main() { app.Run("UpdateAssetVersion", app.UpdateAssetVersion) }

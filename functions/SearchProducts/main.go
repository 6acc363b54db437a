package main

import "github.com/onair/onair/shared/app"

func main() { app.Run("SearchProducts", app.SearchProducts) }

// Command SearchProducts is the Lambda function SearchProducts of template.yaml; its builder is
// shared/functions/searchproducts.
package main

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/searchproducts"
)

func main() { app.Run(searchproducts.Function()) }

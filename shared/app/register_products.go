package app

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/onair/onair/shared/creatorsapi"
	"github.com/onair/onair/shared/products"
)

// addProducts registers the product search of the Amazon product overlay.
// The template deploys it only with EnableAmazonProductStreamAction on.
func addProducts(m map[string]Builder) {
	m["SearchProducts"] = SearchProducts
}

// SearchProducts serves GET /products/{keywords} (PRODUCT_API_SECRET_ARN:
// the Creators API credentials; PRODUCT_API_LOCALE: the marketplace). The
// route is mounted as the prefix /products/ because keywords may be longer
// than the edge's limit on path parameters (see products.SearchProducts).
func SearchProducts(ctx context.Context, d *Deps) (lambda.Handler, error) {
	if err := d.Env.Required("PRODUCT_API_SECRET_ARN"); err != nil {
		return nil, err
	}
	db, err := d.DB()
	if err != nil {
		return nil, err
	}
	catalog := creatorsapi.New(creatorsapi.Config{
		SecretID: d.Env.String("PRODUCT_API_SECRET_ARN"),
		Secrets:  d.Secrets(),
		Locale:   d.Env.String("PRODUCT_API_LOCALE"),
		Now:      d.Clock(),
		Logger:   d.Logger,
	})
	s := &products.Service{Store: db, Catalog: catalog}
	return HTTP(d, Required, s.SearchProducts(), "GET "+products.RoutePrefix)
}

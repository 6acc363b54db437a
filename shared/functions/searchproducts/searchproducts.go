// Package searchproducts builds SearchProducts, the Amazon product search of
// the product overlay (deployed only with EnableAmazonProductStreamAction).
package searchproducts

import (
	"context"
	"net/http"

	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/creatorsapi"
	"github.com/onair/onair/shared/dynamo"
	"github.com/onair/onair/shared/products"
	"github.com/onair/onair/shared/secrets"
)

// Function is SearchProducts (PRODUCT_API_SECRET_ARN: the Creators API
// credentials; PRODUCT_API_LOCALE: the marketplace). The route is mounted
// as the prefix /products/ because keywords may be longer than the edge's
// limit on path parameters (see products.Service.SearchProducts).
func Function() app.Function {
	const route = "GET /products/{keywords}"
	return app.HTTP("SearchProducts", app.Required, build, route).Mount(route, "GET "+products.RoutePrefix)
}

func build(ctx context.Context, p *app.Platform) (http.Handler, error) {
	if err := p.Env.Required("PRODUCT_API_SECRET_ARN"); err != nil {
		return nil, err
	}
	db, err := p.Store(dynamo.Open)
	if err != nil {
		return nil, err
	}
	catalog := creatorsapi.New(creatorsapi.Config{
		SecretID: p.Env.String("PRODUCT_API_SECRET_ARN"),
		Secrets:  secrets.New(p.AWS),
		Locale:   p.Env.String("PRODUCT_API_LOCALE"),
		Now:      p.Clock,
		Logger:   p.Logger,
	})
	return products.SearchProducts(db, catalog), nil
}

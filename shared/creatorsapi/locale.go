package creatorsapi

// Marketplace is an Amazon store the search runs in.
type Marketplace struct {
	// Locale is the name PRODUCT_API_LOCALE uses ("United States").
	Locale string
	// Host is the store's host, the Creators API's marketplace value
	// (the x-marketplace header and the request's marketplace field).
	Host string
	// Region is the credential region the store belongs to: credentials are
	// issued per region, and the minor number of a credential version names
	// it ("2.1"/"3.1" North America, "x.2" Europe, "x.3" Far East).
	Region Region
}

// Region is a Creators API credential region.
type Region string

// Credential regions, by the minor number of the credential versions.
const (
	NorthAmerica Region = "1"
	Europe       Region = "2"
	FarEast      Region = "3"
)

// marketplaces is the reference's locale map (PA-API 5's 21 locales,
// reference §4.6): the same names select the same stores. PA-API's host
// and AWS region per locale became the store host and the credential region
// (PA-API us-east-1 = North America, eu-west-1 = Europe, us-west-2 = Far
// East, the same grouping as the Creators API's credential versions).
var marketplaces = []Marketplace{
	{"Australia", "www.amazon.com.au", FarEast},
	{"Belgium", "www.amazon.com.be", Europe},
	{"Brazil", "www.amazon.com.br", NorthAmerica},
	{"Canada", "www.amazon.ca", NorthAmerica},
	{"Egypt", "www.amazon.eg", Europe},
	{"France", "www.amazon.fr", Europe},
	{"Germany", "www.amazon.de", Europe},
	{"India", "www.amazon.in", Europe},
	{"Italy", "www.amazon.it", Europe},
	{"Japan", "www.amazon.co.jp", FarEast},
	{"Mexico", "www.amazon.com.mx", NorthAmerica},
	{"Netherlands", "www.amazon.nl", Europe},
	{"Poland", "www.amazon.pl", Europe},
	{"Singapore", "www.amazon.sg", FarEast},
	{"Saudi Arabia", "www.amazon.sa", Europe},
	{"Spain", "www.amazon.es", Europe},
	{"Sweden", "www.amazon.se", Europe},
	{"Turkey", "www.amazon.com.tr", Europe},
	{"United Arab Emirates", "www.amazon.ae", Europe},
	{"United Kingdom", "www.amazon.co.uk", Europe},
	{"United States", "www.amazon.com", NorthAmerica},
}

// Locales returns the locale names PRODUCT_API_LOCALE accepts.
func Locales() []string {
	out := make([]string, len(marketplaces))
	for i, m := range marketplaces {
		out[i] = m.Locale
	}
	return out
}

// MarketplaceFor returns the marketplace of the locale name; an unknown or
// empty name is the United States, as in the reference.
func MarketplaceFor(locale string) (m Marketplace, known bool) {
	for _, m := range marketplaces {
		if m.Locale == locale {
			return m, true
		}
	}
	return marketplaces[len(marketplaces)-1], false
}

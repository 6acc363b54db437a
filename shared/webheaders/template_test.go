package webheaders_test

// template.yaml's web app (issue 14): the CloudFront response-headers policy
// is exactly this package's Cloud headers; the bucket is private behind OAC;
// SPA routing, caching and HTTPS are as designed; PublishWebApp=false
// removes all of it and gives back the API-only defaults.

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/s3"
	"github.com/onair/onair/shared/samtemplate"
	"github.com/onair/onair/shared/webheaders"
)

// cachingDisabled is CloudFront's managed CachingDisabled cache policy.
const cachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"

func loadTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/onair/onair\n") {
			break
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod of github.com/onair/onair not found")
		dir = parent
	}
	data, err := os.ReadFile(filepath.Join(dir, "template.yaml"))
	require.NoError(t, err)
	tpl, err := samtemplate.Parse(data)
	require.NoError(t, err)
	return tpl
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func resource(t *testing.T, tpl *samtemplate.Template, id, typ string) map[string]any {
	t.Helper()
	r, ok := tpl.Resources[id]
	require.True(t, ok, "template.yaml has no %s", id)
	require.Equal(t, typ, r.Type, id)
	assert.Equal(t, "WebAppPublished", r.Condition, "%s exists only when the app is published", id)
	return r.Properties
}

func TestTemplateHeadersPolicyIsCloud(t *testing.T) {
	tpl := loadTemplate(t)
	p := obj(resource(t, tpl, "WebAppResponseHeadersPolicy", "AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"])
	sec := obj(p["SecurityHeadersConfig"])

	// The CSP is Cloud's, written with the Sub variables the stack resolves.
	assetsBucket := obj(tpl.Resources["ChannelAssetsBucket"].Properties)["BucketName"]
	require.Equal(t, map[string]any{"Fn::Sub": "${AWS::StackName}-assets-${AWS::AccountId}-${AWS::Region}"}, assetsBucket,
		"the CSP names the assets bucket by this name")
	want := webheaders.Cloud("${AWS::Region}", "${AWS::URLSuffix}", "${ChannelAssetsDistribution.DomainName}",
		"${AWS::StackName}-assets-${AWS::AccountId}-${AWS::Region}").CSP()
	csp := obj(sec["ContentSecurityPolicy"])
	assert.Equal(t, map[string]any{"Fn::Sub": want}, csp["ContentSecurityPolicy"], "template.yaml's CSP must be webheaders.Cloud's")
	assert.Equal(t, true, csp["Override"])
	assert.LessOrEqual(t, len(want), 1783, "CloudFront's limit on a CSP")

	// It also resolves: every variable is a resource or pseudo parameter.
	refs, attrs := tpl.Placeholders("onair-dev", "eu-west-1", "123456789012")
	params, err := tpl.ParameterValues(nil)
	require.NoError(t, err)
	r := samtemplate.Resolver{Params: params, Refs: refs, Attrs: attrs, Pseudo: samtemplate.DefaultPseudo("onair-dev", "eu-west-1", "123456789012")}
	got, err := samtemplate.Resolve(csp["ContentSecurityPolicy"], r)
	require.NoError(t, err)
	assert.Equal(t, webheaders.Cloud("eu-west-1", "amazonaws.com", attrs["ChannelAssetsDistribution.DomainName"], "onair-dev-assets-123456789012-eu-west-1").CSP(), got)

	// Browser uploads go where the assets adapter's presigned POSTs point.
	upload, err := s3.New(aws.Config{Region: "eu-west-1"}, "onair-dev-assets-123456789012-eu-west-1").BucketURL(context.Background())
	require.NoError(t, err)
	assert.Contains(t, webheaders.Cloud("eu-west-1", "amazonaws.com", "x", "onair-dev-assets-123456789012-eu-west-1").Uploads, upload)

	h := webheaders.Cloud("r", "s", "i", "b").Headers()
	hsts := obj(sec["StrictTransportSecurity"])
	assert.Equal(t, webheaders.HSTSMaxAge, hsts["AccessControlMaxAgeSec"])
	assert.Equal(t, true, hsts["IncludeSubdomains"], "webheaders.HSTS says includeSubDomains")
	assert.Contains(t, h.Get("Strict-Transport-Security"), "includeSubDomains")
	assert.Equal(t, true, hsts["Override"])
	assert.Equal(t, map[string]any{"Override": true}, sec["ContentTypeOptions"])
	assert.Equal(t, map[string]any{"Override": true, "FrameOption": h.Get("X-Frame-Options")}, sec["FrameOptions"])
	assert.Equal(t, map[string]any{"Override": true, "ReferrerPolicy": h.Get("Referrer-Policy")}, sec["ReferrerPolicy"])
	assert.Equal(t, []any{map[string]any{"Header": "Permissions-Policy", "Override": true, "Value": h.Get("Permissions-Policy")}},
		obj(p["CustomHeadersConfig"])["Items"])
}

func TestTemplateWebAppIsPrivateBehindOAC(t *testing.T) {
	tpl := loadTemplate(t)
	bucket := resource(t, tpl, "WebAppBucket", "AWS::S3::Bucket")
	assert.Equal(t, map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
		bucket["PublicAccessBlockConfiguration"])
	assert.NotContains(t, bucket, "WebsiteConfiguration", "the S3 website endpoint is public HTTP")
	assert.Equal(t, "BucketOwnerEnforced", obj(list(obj(bucket["OwnershipControls"])["Rules"])[0])["ObjectOwnership"], "no ACLs")

	// The policy lets only this distribution read; nothing is allowed to "*".
	pol := resource(t, tpl, "WebAppBucketPolicy", "AWS::S3::BucketPolicy")
	assert.Equal(t, map[string]any{"Ref": "WebAppBucket"}, pol["Bucket"])
	stmts := list(obj(pol["PolicyDocument"])["Statement"])
	require.NotEmpty(t, stmts)
	reads := false
	for _, s := range stmts {
		st := obj(s)
		if st["Effect"] != "Allow" {
			continue
		}
		assert.Equal(t, map[string]any{"Service": "cloudfront.amazonaws.com"}, st["Principal"], "%v", st["Sid"])
		src := obj(obj(st["Condition"])["StringEquals"])["AWS:SourceArn"]
		assert.Contains(t, obj(src)["Fn::Sub"], "distribution/${WebAppDistribution}", "%v: only this distribution", st["Sid"])
		if st["Action"] == "s3:GetObject" {
			reads = true
		}
	}
	assert.True(t, reads, "the distribution reads the objects")

	oac := obj(resource(t, tpl, "WebAppOriginAccessControl", "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"])
	assert.Equal(t, "s3", oac["OriginAccessControlOriginType"])
	assert.Equal(t, "always", oac["SigningBehavior"])
	assert.Equal(t, "sigv4", oac["SigningProtocol"])

	dist := obj(resource(t, tpl, "WebAppDistribution", "AWS::CloudFront::Distribution")["DistributionConfig"])
	origins := list(dist["Origins"])
	require.Len(t, origins, 1)
	o := obj(origins[0])
	assert.Equal(t, map[string]any{"Fn::GetAtt": []any{"WebAppBucket", "RegionalDomainName"}}, o["DomainName"])
	assert.Equal(t, map[string]any{"Fn::GetAtt": []any{"WebAppOriginAccessControl", "Id"}}, o["OriginAccessControlId"])
	assert.Equal(t, map[string]any{"OriginAccessIdentity": ""}, o["S3OriginConfig"], "OAC, not the legacy OAI")
}

func TestTemplateWebAppDistribution(t *testing.T) {
	tpl := loadTemplate(t)
	dist := obj(resource(t, tpl, "WebAppDistribution", "AWS::CloudFront::Distribution")["DistributionConfig"])
	assert.Equal(t, "http2and3", dist["HttpVersion"])
	assert.Equal(t, "index.html", dist["DefaultRootObject"])
	assert.NotContains(t, dist, "CustomErrorResponses", "SPA routing is the function's: errors stay errors")

	def := obj(dist["DefaultCacheBehavior"])
	behaviors := map[string]map[string]any{"*": def}
	for _, b := range list(dist["CacheBehaviors"]) {
		behaviors[obj(b)["PathPattern"].(string)] = obj(b)
	}
	for path, b := range behaviors {
		assert.Equal(t, "redirect-to-https", b["ViewerProtocolPolicy"], "%s: content only over HTTPS", path)
		assert.Equal(t, true, b["Compress"], path)
		assert.Equal(t, map[string]any{"Ref": "WebAppResponseHeadersPolicy"}, b["ResponseHeadersPolicyId"], "%s: security headers", path)
		assert.Equal(t, []any{"GET", "HEAD"}, b["AllowedMethods"], path)
	}
	// index.html and config.json are never cached, so a deploy shows at once.
	for _, path := range []string{"/index.html", "/config.json"} {
		require.Contains(t, behaviors, path)
		assert.Equal(t, cachingDisabled, behaviors[path]["CachePolicyId"], path)
	}
	// Hashed assets are cached for a year whatever their metadata says.
	require.Contains(t, behaviors, "/assets/*")
	assets := obj(resource(t, tpl, "WebAppAssetsCachePolicy", "AWS::CloudFront::CachePolicy")["CachePolicyConfig"])
	assert.Equal(t, map[string]any{"Ref": "WebAppAssetsCachePolicy"}, behaviors["/assets/*"]["CachePolicyId"])
	assert.Equal(t, 31536000, assets["MinTTL"])
	// Everything else follows the objects' Cache-Control (MinTTL 0 honours no-cache).
	app := obj(resource(t, tpl, "WebAppCachePolicy", "AWS::CloudFront::CachePolicy")["CachePolicyConfig"])
	assert.Equal(t, map[string]any{"Ref": "WebAppCachePolicy"}, def["CachePolicyId"])
	assert.Equal(t, 0, app["MinTTL"])
	for _, cp := range []map[string]any{app, assets} {
		key := obj(cp["ParametersInCacheKeyAndForwardedToOrigin"])
		assert.Equal(t, true, key["EnableAcceptEncodingGzip"], "compression needs the encodings in the key")
		assert.Equal(t, true, key["EnableAcceptEncodingBrotli"])
	}

	// SPA routing: the default behaviour runs the routing function on requests.
	assert.Equal(t, []any{map[string]any{"EventType": "viewer-request",
		"FunctionARN": map[string]any{"Fn::GetAtt": []any{"WebAppRouting", "FunctionMetadata.FunctionARN"}}}}, def["FunctionAssociations"])
}

// The CloudFront function routes exactly as webheaders.IsPage (which the
// offline server uses): it runs under node against the same paths.
func TestTemplateRoutingFunction(t *testing.T) {
	tpl := loadTemplate(t)
	fn := resource(t, tpl, "WebAppRouting", "AWS::CloudFront::Function")
	assert.Equal(t, "cloudfront-js-2.0", obj(fn["FunctionConfig"])["Runtime"])
	assert.Equal(t, true, fn["AutoPublish"])
	code, _ := fn["FunctionCode"].(string)
	require.Contains(t, code, "function handler(event)")

	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the function's code is not run")
	}
	var paths []string
	for _, p := range appPaths {
		paths = append(paths, p.path)
	}
	in, err := json.Marshal(paths)
	require.NoError(t, err)
	script := code + `
const out = {};
for (const uri of ` + string(in) + `) {
  out[uri] = handler({request: {uri: uri, method: 'GET', querystring: {code: {value: 'x'}}, headers: {}}}).uri;
}
console.log(JSON.stringify(out));`
	outb, err := exec.Command(node, "-e", script).CombinedOutput()
	require.NoError(t, err, string(outb))
	var got map[string]string
	require.NoError(t, json.Unmarshal(outb, &got), string(outb))
	for _, p := range appPaths {
		want := p.path
		if webheaders.IsPage(p.path) {
			want = "/index.html"
		}
		assert.Equal(t, want, got[p.path], p.path)
	}
}

// resolver resolves tpl for a stack deployed with the given overrides.
func resolver(t *testing.T, tpl *samtemplate.Template, overrides map[string]string) samtemplate.Resolver {
	t.Helper()
	params, err := tpl.ParameterValues(overrides)
	require.NoError(t, err)
	refs, attrs := tpl.Placeholders("onair-dev", "us-east-1", "123456789012")
	return samtemplate.Resolver{Params: params, Refs: refs, Attrs: attrs, Pseudo: samtemplate.DefaultPseudo("onair-dev", "us-east-1", "123456789012"),
		Conditions: tpl.Conditions, ListParams: map[string]bool{"AllowedOrigins": true}}
}

// What the app's URL flows into: the API's and the assets bucket's CORS
// origins and the email links, unless the parameters say otherwise.
func TestTemplatePublishWebAppSwitch(t *testing.T) {
	tpl := loadTemplate(t)
	p := tpl.Parameters["PublishWebApp"]
	assert.Equal(t, "true", p.Default)

	var web []string
	for id, r := range tpl.Resources {
		if strings.HasPrefix(id, "WebApp") {
			web = append(web, id)
			assert.Equal(t, "WebAppPublished", r.Condition, id)
		}
	}
	assert.Len(t, web, 8, "bucket, bucket policy, OAC, function, two cache policies, headers policy, distribution: %v", web)
	for id, o := range tpl.Outputs {
		if strings.HasPrefix(id, "WebApp") {
			assert.Equal(t, "WebAppPublished", o.Condition, id)
		}
	}

	dist := attrsOf(t, tpl)["WebAppDistribution.DomainName"]
	tests := []struct {
		name       string
		overrides  map[string]string
		published  bool
		origins    []string
		clientBase string
		appURL     string
	}{
		{"published, defaults", nil, true, []string{"https://" + dist}, "https://" + dist, "https://" + dist},
		{"published, custom domain", map[string]string{"WebAppDomainName": "live.example.com", "WebAppCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0f0e"},
			true, []string{"https://live.example.com"}, "https://live.example.com", "https://live.example.com"},
		{"published, parameters override", map[string]string{"AllowedOrigins": "https://a.example,https://b.example", "ClientBaseUrl": "https://a.example"},
			true, []string{"https://a.example", "https://b.example"}, "https://a.example", "https://" + dist},
		{"API only", map[string]string{"PublishWebApp": "false"}, false, []string{"*"}, "http://localhost:3000", ""},
		{"API only, parameters", map[string]string{"PublishWebApp": "false", "AllowedOrigins": "https://app.example", "ClientBaseUrl": "https://app.example"},
			false, []string{"https://app.example"}, "https://app.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resolver(t, tpl, tt.overrides)
			published, err := r.Condition("WebAppPublished")
			require.NoError(t, err)
			assert.Equal(t, tt.published, published)

			api, err := samtemplate.ResolveDeep(tpl.Resources["HttpApi"].Properties["CorsConfiguration"], r)
			require.NoError(t, err)
			assert.Equal(t, tt.origins, strs(obj(api)["AllowOrigins"]), "API CORS")
			assert.Equal(t, []string{"GET", "POST", "PUT", "DELETE", "OPTIONS"}, strs(obj(api)["AllowMethods"]))

			assets, err := samtemplate.ResolveDeep(tpl.Resources["ChannelAssetsBucket"].Properties["CorsConfiguration"], r)
			require.NoError(t, err)
			assert.Equal(t, tt.origins, strs(obj(list(obj(assets)["CorsRules"])[0])["AllowedOrigins"]), "assets bucket CORS (browser uploads)")

			env, err := tpl.Env("CustomMessage", r)
			require.NoError(t, err)
			assert.Equal(t, tt.clientBase, env["CLIENT_BASE_URL"], "email links")

			if tt.published {
				url, err := samtemplate.Resolve(tpl.Outputs["WebAppUrl"].Value, r)
				require.NoError(t, err)
				assert.Equal(t, tt.appURL, url)
			}
		})
	}
}

func attrsOf(t *testing.T, tpl *samtemplate.Template) map[string]string {
	_, attrs := tpl.Placeholders("onair-dev", "us-east-1", "123456789012")
	return attrs
}

func strs(v any) []string {
	var out []string
	for _, x := range list(v) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

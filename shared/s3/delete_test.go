package s3

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdks3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

// bucketAPI is a versioned bucket speaking S3's REST-XML for
// ListObjectVersions (pages of pageSize) and DeleteObjects.
type bucketAPI struct {
	mu       sync.Mutex
	versions []objVersion // in key order
	pageSize int
	deletes  [][]objVersion // each DeleteObjects call
	listings []string       // raw query of each listing
	failList string         // error code for ListObjectVersions
	failKey  string         // key DeleteObjects reports as failed
}

type objVersion struct {
	Key       string
	VersionID string
	Marker    bool
}

func (b *bucketAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := r.URL.Query()
	if !strings.HasPrefix(r.URL.Path, "/assets") {
		http.Error(w, "wrong bucket "+r.URL.Path, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	switch {
	case r.Method == http.MethodGet && q.Has("versions"):
		b.listings = append(b.listings, r.URL.RawQuery)
		if b.failList != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `<Error><Code>%s</Code><Message>later</Message></Error>`, b.failList)
			return
		}
		b.list(w, q.Get("prefix"), q.Get("key-marker"), q.Get("version-id-marker"))
	case r.Method == http.MethodPost && q.Has("delete"):
		var req struct {
			Objects []struct {
				Key       string `xml:"Key"`
				VersionID string `xml:"VersionId"`
			} `xml:"Object"`
		}
		raw, _ := io.ReadAll(r.Body)
		if err := xml.Unmarshal(raw, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var batch []objVersion
		var failed []string
		for _, o := range req.Objects {
			batch = append(batch, objVersion{Key: o.Key, VersionID: o.VersionID})
			if o.Key == b.failKey {
				failed = append(failed, fmt.Sprintf(`<Error><Key>%s</Key><VersionId>%s</VersionId><Code>AccessDenied</Code><Message>no</Message></Error>`, o.Key, o.VersionID))
				continue
			}
			b.remove(o.Key, o.VersionID)
		}
		b.deletes = append(b.deletes, batch)
		fmt.Fprintf(w, `<DeleteResult>%s</DeleteResult>`, strings.Join(failed, ""))
	default:
		http.Error(w, "unexpected "+r.Method+" "+r.URL.String(), http.StatusBadRequest)
	}
}

func (b *bucketAPI) remove(key, version string) {
	for i, v := range b.versions {
		if v.Key == key && v.VersionID == version {
			b.versions = append(b.versions[:i], b.versions[i+1:]...)
			return
		}
	}
}

func (b *bucketAPI) list(w io.Writer, prefix, keyMarker, versionMarker string) {
	var match []objVersion
	for _, v := range b.versions {
		if strings.HasPrefix(v.Key, prefix) {
			match = append(match, v)
		}
	}
	start := 0
	if keyMarker != "" {
		for i, v := range match {
			if v.Key == keyMarker && v.VersionID == versionMarker {
				start = i + 1
			}
		}
	}
	end := min(len(match), start+b.pageSize)
	var sb strings.Builder
	for _, v := range match[start:end] {
		tag := "Version"
		if v.Marker {
			tag = "DeleteMarker"
		}
		fmt.Fprintf(&sb, `<%s><Key>%s</Key><VersionId>%s</VersionId><IsLatest>false</IsLatest></%s>`, tag, v.Key, v.VersionID, tag)
	}
	truncated := end < len(match)
	next := ""
	if truncated {
		last := match[end-1]
		next = fmt.Sprintf(`<NextKeyMarker>%s</NextKeyMarker><NextVersionIdMarker>%s</NextVersionIdMarker>`, last.Key, last.VersionID)
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>assets</Name><Prefix>%s</Prefix><IsTruncated>%t</IsTruncated>%s%s</ListVersionsResult>`,
		prefix, truncated, next, sb.String())
}

func bucketTestClient(t *testing.T, api http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	return &Client{api: sdks3.NewFromConfig(cfg, func(o *sdks3.Options) { o.UsePathStyle = true }), bucket: "assets"}
}

func TestDeletePrefixDeletesEveryVersion(t *testing.T) {
	api := &bucketAPI{pageSize: 2, versions: []objVersion{
		{Key: "id-1/avatar", VersionID: "v1"},
		{Key: "id-1/avatar", VersionID: "v2"},
		{Key: "id-1/avatar", VersionID: "d3", Marker: true},
		{Key: "id-1/banner", VersionID: "v4"},
		{Key: "id-10/avatar", VersionID: "v5"}, // another user, sharing the id's start
		{Key: "id-2/avatar", VersionID: "v6"},
	}}
	c := bucketTestClient(t, api)
	n, err := c.DeletePrefix(context.Background(), "id-1/")
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	assert.Equal(t, []objVersion{{Key: "id-10/avatar", VersionID: "v5"}, {Key: "id-2/avatar", VersionID: "v6"}}, api.versions)
	assert.Len(t, api.listings, 2, "two pages")
	assert.Contains(t, api.listings[1], "key-marker=id-1%2Favatar")
	assert.Contains(t, api.listings[1], "version-id-marker=v2")

	// Nothing left: a second run finds nothing and succeeds.
	n, err = c.DeletePrefix(context.Background(), "id-1/")
	require.NoError(t, err)
	assert.Equal(t, 0, n)
}

func TestDeletePrefixBatchesOfAThousand(t *testing.T) {
	api := &bucketAPI{pageSize: 2500}
	for i := range 2100 {
		api.versions = append(api.versions, objVersion{Key: "id/avatar", VersionID: fmt.Sprintf("v%04d", i)})
	}
	c := bucketTestClient(t, api)
	n, err := c.DeletePrefix(context.Background(), "id/")
	require.NoError(t, err)
	assert.Equal(t, 2100, n)
	require.Len(t, api.deletes, 3)
	assert.Len(t, api.deletes[0], 1000)
	assert.Len(t, api.deletes[2], 100)
	assert.Empty(t, api.versions)
}

func TestDeletePrefixErrors(t *testing.T) {
	t.Run("refuses the whole bucket", func(t *testing.T) {
		api := &bucketAPI{pageSize: 10, versions: []objVersion{{Key: "a/avatar", VersionID: "v1"}}}
		c := bucketTestClient(t, api)
		for _, p := range []string{"", "/", "//", "id"} {
			_, err := c.DeletePrefix(context.Background(), p)
			assert.Error(t, err, p)
		}
		assert.Empty(t, api.listings, "no call made")
	})
	t.Run("listing fails", func(t *testing.T) {
		c := bucketTestClient(t, &bucketAPI{pageSize: 10, failList: "ServiceUnavailable"})
		_, err := c.DeletePrefix(context.Background(), "id/")
		assert.Equal(t, onair.Unavailable, onair.ErrorCode(err), "%v", err)
	})
	t.Run("a version cannot be deleted", func(t *testing.T) {
		api := &bucketAPI{pageSize: 10, failKey: "id/banner", versions: []objVersion{
			{Key: "id/avatar", VersionID: "v1"}, {Key: "id/banner", VersionID: "v2"},
		}}
		c := bucketTestClient(t, api)
		_, err := c.DeletePrefix(context.Background(), "id/")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "id/banner")
		assert.Equal(t, onair.Internal, onair.ErrorCode(err))
	})
}

package overlays

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onair/onair/shared/onair"
)

const (
	goodQuiz    = `{"question":"Best snack?","answers":["Chips","Fruit","Nuts"],"correctAnswerIndex":1,"duration":15}`
	goodProduct = `{"title":"Sneakers","price":"$250","imageUrl":"https://example.com/s.png","description":"Light and fast."}`
	goodNotice  = `{"title":"Heads up","message":"Giveaway at 8 pm!","duration":10}`
	goodAmazon  = `{"images":{"large":{"url":"https://m.media-amazon.com/images/I/a.jpg","height":500,"width":500},"small":{"url":"https://m.media-amazon.com/images/I/a._SL75_.jpg"}},"title":"Kettle","price":{"displayAmount":"$29.99"},"productURL":"https://www.amazon.com/dp/B000?tag=alice-20","merchantInfo":{"name":"Amazon.com"},"asin":"B000","offersV2":{"x":1}}`
)

func TestParseActionValid(t *testing.T) {
	cases := []struct {
		name, data string
		duration   int
		want       string
	}{
		{Quiz, goodQuiz, 15, goodQuiz},
		{Product, goodProduct, 0, goodProduct},
		{Notice, goodNotice, 10, goodNotice},
		{Celebration, ``, 10, `{"duration":10}`},
		{Celebration, `null`, 10, `{"duration":10}`},
		{Celebration, `{}`, 10, `{"duration":10}`},
		{Celebration, `{"duration":10}`, 10, `{"duration":10}`},
		// Unknown fields of a search result are dropped, not refused.
		{AmazonProduct, goodAmazon, 0, `{"images":{"large":{"url":"https://m.media-amazon.com/images/I/a.jpg","height":500,"width":500},"small":{"url":"https://m.media-amazon.com/images/I/a._SL75_.jpg"}},"title":"Kettle","price":{"displayAmount":"$29.99"},"productURL":"https://www.amazon.com/dp/B000?tag=alice-20","merchantInfo":{"name":"Amazon.com"}}`},
		{Product, `{"title":"Café ☕","price":"€5","imageUrl":"http://example.com/a?b=1&c=<2>","description":"Hot & fresh"}`, 0,
			`{"title":"Café ☕","price":"€5","imageUrl":"http://example.com/a?b=1&c=<2>","description":"Hot & fresh"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name+" "+tc.data, func(t *testing.T) {
			a, err := ParseAction(tc.name, json.RawMessage(tc.data), "data")
			require.NoError(t, err)
			assert.Equal(t, tc.name, a.Name)
			assert.Equal(t, tc.duration, a.Duration)
			assert.JSONEq(t, tc.want, string(a.Data))
			assert.NotContains(t, string(a.Data), `\u0026`, "no HTML escaping")
		})
	}
}

func TestParseActionInvalid(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	quiz := func(mut string) string { return strings.Replace(goodQuiz, `"question":"Best snack?"`, mut, 1) }
	cases := []struct {
		name, data, field string
	}{
		{"poll", `{}`, "name must be one of quiz, product, notice, celebration, amazon_product"},
		{"", `{}`, "name must be one of"},
		{"confetti", ``, "name must be one of"}, // an unknown name is named as such, not as missing data
		{"", ``, "name must be one of"},
		{Quiz, ``, "data is required for a quiz"},
		{Quiz, `[1]`, `Field "data" must be an object.`},
		{Quiz, `{"question":"q"} {}`, `Field "data" must be a single JSON value.`},
		{Quiz, `{"question":"q","extra":1}`, `Unknown field "data.extra".`},
		{Quiz, quiz(`"question":"   "`), "data.question is required"},
		{Quiz, quiz(`"question":"` + long(257) + `"`), "data.question must be at most 256 characters"},
		{Quiz, quiz(`"question":"` + strings.Repeat("é", 256) + `"`), ""}, // 256 characters, 512 bytes: fine
		{Quiz, quiz(`"question":1`), `Field "data.question" must be a string.`},
		{Quiz, `{"question":"q","answers":["a","b"],"correctAnswerIndex":0,"duration":10}`, "data.answers must have 3 to 5 answers"},
		{Quiz, `{"question":"q","answers":["a","b","c","d","e","f"],"correctAnswerIndex":0,"duration":10}`, "data.answers must have 3 to 5 answers"},
		{Quiz, `{"question":"q","answers":["a","b",""],"correctAnswerIndex":0,"duration":10}`, "data.answers[2] is required"},
		{Quiz, `{"question":"q","answers":["a","b","` + long(129) + `"],"correctAnswerIndex":0,"duration":10}`, "data.answers[2] must be at most 128"},
		{Quiz, `{"question":"q","answers":["Yes","No"," yes "],"correctAnswerIndex":0,"duration":10}`, "data.answers[2] repeats data.answers[0]; answers must be unique"},
		{Quiz, `{"question":"q","answers":["a","b","c"],"duration":10}`, "data.correctAnswerIndex is required"},
		{Quiz, `{"question":"q","answers":["a","b","c"],"correctAnswerIndex":3,"duration":10}`, "data.correctAnswerIndex must be between 0 and 2"},
		{Quiz, `{"question":"q","answers":["a","b","c"],"correctAnswerIndex":-1,"duration":10}`, "data.correctAnswerIndex must be between 0 and 2"},
		{Quiz, `{"question":"q","answers":["a","b","c"],"correctAnswerIndex":0}`, "data.duration is required"},
		{Quiz, `{"question":"q","answers":["a","b","c"],"correctAnswerIndex":0,"duration":4}`, "data.duration must be between 5 and 30"},
		{Quiz, `{"question":"q","answers":["a","b","c"],"correctAnswerIndex":0,"duration":31}`, "data.duration must be between 5 and 30"},
		{Quiz, `{"question":"q","answers":["a","b","c"],"correctAnswerIndex":0,"duration":7.5}`, `Field "data.duration" must be a number.`},
		{Product, `{"title":"` + long(33) + `","price":"1","imageUrl":"https://x.io/a.png","description":"d"}`, "data.title must be at most 32"},
		{Product, `{"title":"t","price":"12345678901","imageUrl":"https://x.io/a.png","description":"d"}`, "data.price must be at most 10"},
		{Product, `{"title":"t","price":"1","imageUrl":"ftp://x.io/a.png","description":"d"}`, "data.imageUrl must be a valid http or https URL"},
		{Product, `{"title":"t","price":"1","imageUrl":"https:///nohost","description":"d"}`, "data.imageUrl must be a valid http or https URL"},
		{Product, `{"title":"t","price":"1","imageUrl":"https://x.io/a b.png","description":"d"}`, "data.imageUrl must be a valid http or https URL"},
		{Product, `{"title":"t","price":"1","imageUrl":"https://x.io/` + long(250) + `","description":"d"}`, "data.imageUrl must be at most 256"},
		{Product, `{"title":"t","price":"1","imageUrl":"https://x.io/a.png","description":"` + long(257) + `"}`, "data.description must be at most 256"},
		{Product, `{"title":"t","price":"1","imageUrl":"https://x.io/a.png"}`, "data.description is required"},
		{Notice, `{"title":"` + long(25) + `","message":"m","duration":10}`, "data.title must be at most 24"},
		{Notice, `{"title":"t","message":"` + long(257) + `","duration":10}`, "data.message must be at most 256"},
		{Notice, `{"title":"t","message":"m","duration":60}`, "data.duration must be between 5 and 30"},
		{Celebration, `{"duration":15}`, "data.duration of a celebration is always 10 seconds"},
		{Celebration, `{"confetti":200}`, `Unknown field "data.confetti".`},
		{AmazonProduct, `{"title":"t","productURL":"https://a.co/x","images":{}}`, "data.images.large is required"},
		{AmazonProduct, `{"title":"t","productURL":"javascript:alert(1)","images":{"large":{"url":"https://a.co/i.jpg"}}}`, "data.productURL must be a valid http or https URL"},
		{AmazonProduct, `{"title":"t","productURL":"https://a.co/` + long(2048) + `","images":{"large":{"url":"https://a.co/i.jpg"}}}`, "data.productURL must be at most 2048"},
		{AmazonProduct, `{"title":"t","productURL":"https://a.co/x","images":{"large":{"url":"https://a.co/i.jpg"},"small":{"url":"nope"}}}`, "data.images.small.url must be a valid"},
		{AmazonProduct, `{"productURL":"https://a.co/x","images":{"large":{"url":"https://a.co/i.jpg"}}}`, "data.title is required"},
		{AmazonProduct, `{"title":"t","productURL":"https://a.co/x","images":{"large":{"url":"https://a.co/i.jpg"}},"price":{"displayAmount":""}}`, "data.price.displayAmount is required"},
		{AmazonProduct, `{"title":"t","productURL":"https://a.co/x","images":{"large":{"url":"https://a.co/i.jpg"}},"price":"$5"}`, `Field "data.price" must be an object.`},
	}
	for _, tc := range cases {
		t.Run(tc.name+" "+tc.field, func(t *testing.T) {
			_, err := ParseAction(tc.name, json.RawMessage(tc.data), "data")
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, onair.Invalid, onair.ErrorCode(err))
			assert.Equal(t, "InvalidStreamActionException", onair.ErrorType(err))
			assert.Contains(t, onair.ErrorMessage(err), tc.field)
		})
	}
}

func TestEncodeMetadata(t *testing.T) {
	now := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	a, err := ParseAction(Quiz, json.RawMessage(goodQuiz), "data")
	require.NoError(t, err)
	got, err := encodeMetadata(&a, now)
	require.NoError(t, err)
	assert.Equal(t, `{"v":1,"name":"quiz","data":`+goodQuiz+`,"startTime":1768068000000,"expiry":1768068015000}`, got)

	p, err := ParseAction(Product, json.RawMessage(goodProduct), "data")
	require.NoError(t, err)
	got, err = encodeMetadata(&p, now)
	require.NoError(t, err)
	assert.NotContains(t, got, "expiry", "a product stays until replaced or stopped")

	stop, err := encodeMetadata(nil, now)
	require.NoError(t, err)
	assert.Equal(t, `{"v":1,"name":null,"startTime":1768068000000}`, stop)

	// Within every field limit, but over 1 KB in total.
	big := `{"title":"` + strings.Repeat("é", 256) + `","productURL":"https://a.co/` + strings.Repeat("x", 300) + `","images":{"large":{"url":"https://a.co/` + strings.Repeat("y", 300) + `"}}}`
	ap, err := ParseAction(AmazonProduct, json.RawMessage(big), "data")
	require.NoError(t, err)
	_, err = encodeMetadata(&ap, now)
	require.Error(t, err)
	assert.Equal(t, onair.TooLarge, onair.ErrorCode(err))
	assert.Contains(t, onair.ErrorMessage(err), "Amazon product is")
	assert.Contains(t, onair.ErrorMessage(err), "at most 1024")
}

// Plain JSON fits the common actions in 1 KB: a quiz with a full-length
// question and four full-length answers fits; only a quiz with every field at
// its maximum does not, and gets a 413 that says so (documented in
// docs/overlays.md).
func TestQuizSizes(t *testing.T) {
	quiz := func(answers ...string) json.RawMessage {
		data, _ := json.Marshal(map[string]any{
			"question": strings.Repeat("q", 256), "answers": answers, "correctAnswerIndex": 0, "duration": 30,
		})
		return data
	}
	a, err := ParseAction(Quiz, quiz(strings.Repeat("a", 128), strings.Repeat("b", 128), strings.Repeat("c", 128), strings.Repeat("d", 128)), "data")
	require.NoError(t, err)
	m, err := encodeMetadata(&a, time.Now())
	require.NoError(t, err)
	assert.LessOrEqual(t, len(m), MaxMetadataBytes)

	a, err = ParseAction(Quiz, quiz(strings.Repeat("a", 128), strings.Repeat("b", 128), strings.Repeat("c", 128), strings.Repeat("d", 128), strings.Repeat("e", 128)), "data")
	require.NoError(t, err)
	_, err = encodeMetadata(&a, time.Now())
	assert.Equal(t, onair.TooLarge, onair.ErrorCode(err))
}

package tago

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRequestBodiesSendSecretsAndOnlyThere checks that a request body carries every
// Secret's real value, whatever the shape holding it, while encoding/json (what log
// handlers use) masks the same value.
func TestRequestBodiesSendSecretsAndOnlyThere(t *testing.T) {
	t.Parallel()
	type inner struct {
		Key Secret `json:"key"`
	}
	type Embedded struct {
		PIN Secret `json:"pin,omitempty"`
	}
	type body struct {
		Embedded
		Name     string            `json:"name"`
		Password Secret            `json:"password"`
		Optional *Secret           `json:"optional,omitempty"`
		Missing  *Secret           `json:"missing,omitempty"`
		Empty    Secret            `json:"empty,omitempty"`
		List     []Secret          `json:"list"`
		ByName   map[string]Secret `json:"by_name"`
		ByKey    map[Secret]int    `json:"by_key"`
		Nested   inner             `json:"nested"`
		Ptr      *inner            `json:"ptr"`
		Any      any               `json:"any"`
		Task     ActionTask        `json:"task"`
		NilTask  *PostWebhook      `json:"nil_task"`
		Expiry   Expiry            `json:"expire_time,omitzero"`
		When     time.Time         `json:"when"`
		hidden   Secret
	}
	b := body{
		Embedded: Embedded{PIN: "pin-123456"},
		Name:     "n", Password: "pass-abcdef", Optional: Ptr(Secret("opt-abcdef")), List: []Secret{"list-abcdef"},
		ByName: map[string]Secret{"a": "map-abcdefg"}, ByKey: map[Secret]int{"key-abcdefg": 1},
		Nested: inner{"nest-abcdef"}, Ptr: &inner{"ptr-abcdefg"}, Any: map[string]any{"deep": inner{"any-abcdefg"}},
		Task: PostWebhook{URL: "https://x", FallbackToken: "hook-abcdefg"}, Expiry: ExpiresIn("1 day"),
		When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), hidden: "hidden-abcdef",
	}
	wire, revealed, err := marshalBody(b)
	require.NoError(t, err)
	assert.JSONEq(t, `{"pin":"pin-123456","name":"n","password":"pass-abcdef","optional":"opt-abcdef",
		"list":["list-abcdef"],"by_name":{"a":"map-abcdefg"},"by_key":{"key-abcdefg":1},"nested":{"key":"nest-abcdef"},
		"ptr":{"key":"ptr-abcdefg"},"any":{"deep":{"key":"any-abcdefg"}},
		"task":{"type":"post","url":"https://x","fallback_token":"hook-abcdefg"},"nil_task":null,
		"expire_time":"1 day","when":"2024-01-02T03:04:05Z"}`, string(wire))
	assert.ElementsMatch(t, []string{"pin-123456", "pass-abcdef", "opt-abcdef", "list-abcdef", "map-abcdefg",
		"key-abcdefg", "nest-abcdef", "ptr-abcdefg", "any-abcdefg", "hook-abcdefg"}, revealed)

	logged, err := json.Marshal(b)
	require.NoError(t, err)
	for _, s := range revealed {
		if s == "key-abcdefg" {
			continue // encoding/json writes string-kinded map keys as they are (documented on Secret)
		}
		assert.NotContains(t, string(logged), s, "encoding/json masks every Secret")
	}

	// Bodies without secrets take the plain path and come out as encoding/json writes them.
	plain := map[string]any{"a": 1, "b": []string{"x"}}
	wire, revealed, err = marshalBody(plain)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1,"b":["x"]}`, string(wire))
	assert.Empty(t, revealed)
	wire, _, err = marshalBody(nil)
	require.NoError(t, err)
	assert.Equal(t, "null", string(wire))
}

// TestBodySecretsNeverInErrors checks that the secrets a body carried are redacted
// from errors, even when the service passed no call.secrets for them.
func TestBodySecretsNeverInErrors(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "POST", "/account/passwordreset", 400, `{"status":false,"message":"password n3w-passw0rd is too weak"}`)
	err := exec(t.Context(), c, &call{method: "POST", path: "/account/passwordreset",
		body: map[string]Secret{"password": "n3w-passw0rd"}, kinds: accountOnly})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.Equal(t, "tago: POST /account/passwordreset: 400 password [redacted] is too weak", err.Error())
}

func BenchmarkMarshalBody(b *testing.B) {
	req := ProfileTokenCreateRequest{Name: "laptop", Permission: PermissionFull, Email: "a@example.com", Password: "s3cret", ExpireTime: ExpiresIn("1 day")}
	b.Run("marshalBody", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := marshalBody(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

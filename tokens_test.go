package tago

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokensOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)
	expires := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list device tokens with defaults", method: "GET", path: "/device/token/" + resDeviceID,
			query: "page=1&amount=20&fields[0]=name&fields[1]=token&fields[2]=permission&orderBy=created_at,desc",
			result: `[{"name":"Default","token":"` + resToken + `","permission":"full","expire_time":"never"},` +
				`{"name":"Actility","token":"` + resToken2 + `","permission":"write","expire_time":"2025-01-01T00:00:00.000Z",` +
				`"serie_number":"` + resDevEUI + `","last_authorization":"` + resAuthKey + `","created_at":"2024-02-03T04:05:06.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Tokens.List(ctx, resDeviceID, nil) },
			want: []TokenInfo{
				{Name: "Default", Token: resToken, Permission: PermissionFull, ExpireTime: ExpiresNever()},
				{Name: "Actility", Token: resToken2, Permission: PermissionWrite, ExpireTime: ExpiresAt(expires),
					SerieNumber: resDevEUI, LastAuthorization: resAuthKey, CreatedAt: created},
			},
		},
		{
			name: "list device tokens with filters", method: "GET", path: "/device/token/" + resDeviceID,
			query: "page=3&amount=5&fields[0]=name&fields[1]=serie_number&filter[name]=lora*&filter[permission]=write" +
				"&filter[serie_number]=" + resDevEUI + "&orderBy=name,asc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Tokens.List(ctx, resDeviceID, &TokenListOptions{
					ListOptions: ListOptions{Page: 3, Amount: 5, Fields: []string{"name", "serie_number"}, OrderBy: Asc("name")},
					Name:        "lora*", Permission: PermissionWrite, SerieNumber: resDevEUI,
				})
			},
			want: []TokenInfo{},
		},
		{
			name: "create a device token", method: "POST", path: "/device/token", status: http.StatusCreated,
			body: `{"device":"` + resDeviceID + `","name":"Actility","permission":"write","expire_time":"never",` +
				`"serie_number":"` + resDevEUI + `","verification_code":"vc-1","middleware":"actility"}`,
			result: `{"token":"` + resToken + `","permission":"write","expire_date":"never"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Tokens.Create(ctx, resDeviceID, DeviceTokenCreateRequest{Name: "Actility", Permission: PermissionWrite,
					ExpireTime: ExpiresNever(), SerieNumber: resDevEUI, VerificationCode: "vc-1", Middleware: "actility"})
			},
			want: TokenInfo{Token: resToken, Permission: PermissionWrite, ExpireTime: ExpiresNever()},
		},
		{
			name: "create a device token expiring at a time", method: "POST", path: "/device/token", status: http.StatusCreated,
			body:   `{"device":"` + resDeviceID + `","name":"Temp","permission":"read","expire_time":"2025-01-01T00:00:00.000Z"}`,
			result: `{"token":"` + resToken + `","permission":"read","expire_time":"2025-01-01T00:00:00.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Tokens.Create(ctx, resDeviceID, DeviceTokenCreateRequest{Name: "Temp", Permission: PermissionRead,
					ExpireTime: ExpiresAt(expires.In(time.FixedZone("BRT", -3*3600)))})
			},
			want: TokenInfo{Token: resToken, Permission: PermissionRead, ExpireTime: ExpiresAt(expires)},
		},
		{
			name: "create a device token with a relative expiry", method: "POST", path: "/device/token", status: http.StatusCreated,
			body:   `{"device":"` + resDeviceID + `","name":"Temp","permission":"full","expire_time":"3 hours"}`,
			result: `{"token":"` + resToken + `","permission":"full","expire_date":"2025-01-01T00:00:00Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Tokens.Create(ctx, resDeviceID, DeviceTokenCreateRequest{Name: "Temp", Permission: PermissionFull,
					ExpireTime: ExpiresIn("3 hours")})
			},
			want: TokenInfo{Token: resToken, Permission: PermissionFull, ExpireTime: ExpiresAt(expires)},
		},
		{
			name: "delete a device token", method: "DELETE", path: "/device/token/" + resToken, result: `"Token Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Tokens.Delete(ctx, resToken)) },
		},
		{
			name: "find a device token by name", method: "GET", path: "/device/token/" + resDeviceID,
			query: "page=1&amount=100&fields[0]=name&fields[1]=token&fields[2]=permission&fields[3]=serie_number" +
				"&fields[4]=last_authorization&fields[5]=expire_time&fields[6]=created_at&filter[name]=Actility&orderBy=created_at,desc",
			result: `[{"name":"Actility backup","token":"` + resToken2 + `"},` +
				`{"name":"Actility","token":"` + resToken + `","permission":"write","serie_number":"` + resDevEUI + `","last_authorization":"` + resAuthKey + `"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Tokens.FindByName(ctx, resDeviceID, "Actility")
			},
			want: TokenInfo{Name: "Actility", Token: resToken, Permission: PermissionWrite, SerieNumber: resDevEUI,
				LastAuthorization: resAuthKey},
		},
		{
			name: "list profile tokens", method: "GET", path: "/profile/" + resProfileID + "/token",
			query:  "page=1&amount=20&fields[0]=name&fields[1]=token&fields[2]=permission&filter[name]=ci&orderBy=created_at,desc",
			result: `[{"name":"ci","token":"` + resToken + `","permission":"full","type":"profile","created_by":null,"expire_time":"never"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Tokens.ListProfile(ctx, resProfileID, &TokenListOptions{Name: "ci"})
			},
			want: []TokenInfo{{Name: "ci", Token: resToken, Permission: PermissionFull, Type: "profile", ExpireTime: ExpiresNever()}},
		},
		{
			name: "create a profile token", method: "POST", path: "/profile/" + resProfileID + "/token", status: http.StatusCreated,
			body: `{"name":"ci","permission":"full","expire_time":"1 month","email":"ops@example.com","password":"s3cret-pass",` +
				`"pin_code":"123456","otp_type":"authenticator"}`,
			result: `{"token":"` + resToken + `","permission":"full","expire_date":"2024-03-03T04:05:06.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Tokens.CreateProfile(ctx, resProfileID, ProfileTokenCreateRequest{Name: "ci", Permission: PermissionFull,
					ExpireTime: ExpiresIn("1 month"), Email: "ops@example.com", Password: "s3cret-pass", PinCode: "123456", OTPType: "authenticator"})
			},
			want: TokenInfo{Token: resToken, Permission: PermissionFull, ExpireTime: ExpiresAt(time.Date(2024, 3, 3, 4, 5, 6, 0, time.UTC))},
		},
		{
			name: "delete a profile token", method: "DELETE", path: "/profile/" + resProfileID + "/token/" + resToken,
			result: `"Token Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Tokens.DeleteProfile(ctx, resProfileID, resToken))
			},
		},
	})
}

func TestAuthorizationsOperations(t *testing.T) {
	t.Parallel()
	accountOps(t, []opCase{
		{
			name: "list", method: "GET", path: "/serviceauth",
			query:  "page=1&amount=20&fields[0]=name&fields[1]=token&fields[2]=permission&orderBy=created_at,desc",
			result: `[{"name":"Actility ThingPark","token":"` + resAuthKey + `","permission":"full"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Authorizations.List(ctx, nil) },
			want:   []Authorization{{Name: "Actility ThingPark", Token: resAuthKey, Permission: PermissionFull}},
		},
		{
			name: "list with fields and a filter", method: "GET", path: "/serviceauth",
			query: "page=1&amount=20&fields[0]=name&fields[1]=token&fields[2]=verification_code&fields[3]=created_at" +
				"&filter[name]=*Actility*&orderBy=created_at,desc",
			result: `[{"name":"Actility ThingPark","token":"` + resAuthKey + `","verification_code":"tunnel-key","created_at":"2024-02-03T04:05:06Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Authorizations.List(ctx, &TokenListOptions{Name: "*Actility*",
					ListOptions: ListOptions{Fields: []string{"name", "token", "verification_code", "created_at"}}})
			},
			want: []Authorization{{Name: "Actility ThingPark", Token: resAuthKey, VerificationCode: "tunnel-key",
				CreatedAt: time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC)}},
		},
		{
			name: "create", method: "POST", path: "/serviceauth",
			body:   `{"name":"Actility ThingPark","verification_code":"tunnel-key"}`,
			result: `{"token":"` + resAuthKey + `","name":"Actility ThingPark","profile":"` + resProfileID + `","additional_parameters":"tunnel-key"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Authorizations.Create(ctx, AuthorizationCreateRequest{Name: "Actility ThingPark", VerificationCode: "tunnel-key"})
			},
			want: Authorization{Token: resAuthKey, Name: "Actility ThingPark", Profile: resProfileID, VerificationCode: "tunnel-key"},
		},
		{
			name: "create with permission and expiry", method: "POST", path: "/serviceauth",
			body:   `{"name":"TTN","permission":"write","expire_time":"never"}`,
			result: `{"token":"` + resAuthKey + `","name":"TTN","profile":"` + resProfileID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Authorizations.Create(ctx, AuthorizationCreateRequest{Name: "TTN", Permission: PermissionWrite, ExpireTime: ExpiresNever()})
			},
			want: Authorization{Token: resAuthKey, Name: "TTN", Profile: resProfileID},
		},
		{
			name: "edit", method: "PUT", path: "/serviceauth/" + resAuthKey,
			body:   `{"verification_code":"new-key"}`,
			result: `"Authorization Code Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Authorizations.Edit(ctx, resAuthKey, AuthorizationEditRequest{VerificationCode: Ptr(Secret("new-key"))}))
			},
		},
		{
			name: "edit clearing the code", method: "PUT", path: "/serviceauth/" + resAuthKey,
			body: `{"verification_code":""}`, result: `"Authorization Code Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Authorizations.Edit(ctx, resAuthKey, AuthorizationEditRequest{VerificationCode: Ptr(Secret(""))}))
			},
		},
		{
			// Without a code the edit is empty: it must not clear the code.
			name: "edit without a code keeps it", method: "PUT", path: "/serviceauth/" + resAuthKey,
			body: `{}`, result: `"Authorization Code Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Authorizations.Edit(ctx, resAuthKey, AuthorizationEditRequest{}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/serviceauth/" + resAuthKey, result: `"Token Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Authorizations.Delete(ctx, resAuthKey))
			},
		},
	})
}

func TestFindTokenByNameReadsEveryPage(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	full := make([]string, 100)
	for i := range full {
		full[i] = fmt.Sprintf(`{"name":"gw-%d","token":"%s"}`, i, resToken2)
	}
	got := expectSeq(mt, "GET", "/device/token/"+resDeviceID,
		reply(200, `{"status":true,"result":[`+strings.Join(full, ",")+`]}`),
		reply(200, `{"status":true,"result":[{"name":"gw","token":"`+resToken+`"}]}`))
	tok, err := c.Tokens.FindByName(t.Context(), resDeviceID, "gw")
	require.NoError(t, err)
	assert.Equal(t, TokenInfo{Name: "gw", Token: resToken}, tok)
	require.Equal(t, 2, got.count())
	assert.True(t, strings.HasPrefix(got.last(t).Query, "page=2&amount=100&"))
}

func TestFindTokenByNameNotFound(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "GET", "/device/token/"+resDeviceID, 200, `{"status":true,"result":[{"name":"gw 2","token":"`+resToken+`"}]}`)
	_, err := c.Tokens.FindByName(t.Context(), resDeviceID, "gw")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, `tago: not found: device `+resDeviceID+` has no token named "gw"`, err.Error())
	assert.NotContains(t, err.Error(), resToken)
	assert.Equal(t, 1, got.count())
}

func TestTokensBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	okDev := DeviceTokenCreateRequest{Name: "n", Permission: PermissionRead}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"list with a bad device ID", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.List(ctx, "x", nil)
			return err
		}},
		{"list with a bad permission", "permission", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.List(ctx, resDeviceID, &TokenListOptions{Permission: "admin"})
			return err
		}},
		{"all with a bad device ID", "device ID", func(ctx context.Context, c *Client) error {
			return firstErr(c.Tokens.All(ctx, "x", nil))
		}},
		{"find with a bad device ID", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.FindByName(ctx, "x", "n")
			return err
		}},
		{"find with an empty name", "token name", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.FindByName(ctx, resDeviceID, " ")
			return err
		}},
		{"create with a bad device ID", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.Create(ctx, "", okDev)
			return err
		}},
		{"create without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.Create(ctx, resDeviceID, DeviceTokenCreateRequest{Permission: PermissionRead})
			return err
		}},
		{"create without a permission", "permission", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.Create(ctx, resDeviceID, DeviceTokenCreateRequest{Name: "n"})
			return err
		}},
		{"create with an unknown permission", "permission", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.Create(ctx, resDeviceID, DeviceTokenCreateRequest{Name: "n", Permission: "deny"})
			return err
		}},
		{"create with two expiries", "expire time", func(ctx context.Context, c *Client) error {
			r := okDev
			r.ExpireTime = Expiry{Never: true, Relative: "1 day"}
			_, err := c.Tokens.Create(ctx, resDeviceID, r)
			return err
		}},
		{"create with a blank relative expiry", "expire time", func(ctx context.Context, c *Client) error {
			r := okDev
			r.ExpireTime = ExpiresIn("  ")
			_, err := c.Tokens.Create(ctx, resDeviceID, r)
			return err
		}},
		{"delete a malformed token", "token", func(ctx context.Context, c *Client) error {
			return c.Tokens.Delete(ctx, "not-a-token")
		}},
		{"delete a token with a path in it", "token", func(ctx context.Context, c *Client) error {
			return c.Tokens.Delete(ctx, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b/../x")
		}},
		{"list profile tokens with a bad ID", "profile ID", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.ListProfile(ctx, "current", nil)
			return err
		}},
		{"all profile tokens with a bad ID", "profile ID", func(ctx context.Context, c *Client) error {
			return firstErr(c.Tokens.AllProfile(ctx, "x", nil))
		}},
		{"create a profile token without a permission", "permission", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.CreateProfile(ctx, resProfileID, ProfileTokenCreateRequest{Name: "n"})
			return err
		}},
		{"create a profile token without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Tokens.CreateProfile(ctx, resProfileID, ProfileTokenCreateRequest{Permission: PermissionFull})
			return err
		}},
		{"delete a profile token with a bad profile", "profile ID", func(ctx context.Context, c *Client) error {
			return c.Tokens.DeleteProfile(ctx, "x", resToken)
		}},
		{"delete a malformed profile token", "token", func(ctx context.Context, c *Client) error {
			return c.Tokens.DeleteProfile(ctx, resProfileID, strings.ToUpper(resToken)+"0")
		}},
		{"create an authorization without a name", "name", func(ctx context.Context, c *Client) error {
			_, err := c.Authorizations.Create(ctx, AuthorizationCreateRequest{})
			return err
		}},
		{"create an authorization with a bad permission", "permission", func(ctx context.Context, c *Client) error {
			_, err := c.Authorizations.Create(ctx, AuthorizationCreateRequest{Name: "n", Permission: "owner"})
			return err
		}},
		{"list authorizations with a bad page", "page", func(ctx context.Context, c *Client) error {
			_, err := c.Authorizations.List(ctx, &TokenListOptions{ListOptions: ListOptions{Page: -2}})
			return err
		}},
		{"edit an empty authorization", "authorization", func(ctx context.Context, c *Client) error {
			return c.Authorizations.Edit(ctx, "", AuthorizationEditRequest{})
		}},
		{"edit an authorization with a slash", "authorization", func(ctx context.Context, c *Client) error {
			return c.Authorizations.Edit(ctx, "at0123/../../account", AuthorizationEditRequest{})
		}},
		{"delete an authorization with a space", "authorization", func(ctx context.Context, c *Client) error {
			return c.Authorizations.Delete(ctx, "at01234567 89abcdef")
		}},
	})
}

func TestCheckTokenAndAuthorizationKey(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{resToken, strings.ToUpper(resToken)} {
		assert.NoError(t, checkToken("token", ok), ok)
	}
	for _, bad := range []string{"", resToken[:35], resToken + "0", strings.ReplaceAll(resToken, "-", "_"),
		"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4g", "0a1b2c3d4-e5f-4a6b-8c7d-9e0f1a2b3c4d"} {
		err := checkToken("token", bad)
		require.ErrorIs(t, err, ErrInvalidInput, bad)
		if bad != "" {
			assert.NotContains(t, err.Error(), bad)
		}
	}
	for _, ok := range []string{resAuthKey, resToken, "AT_key.v2-abc"} {
		assert.NoError(t, checkAuthorizationKey("authorization", ok), ok)
	}
	for _, bad := range []string{"", "short", strings.Repeat("a", 129), "at012345 67", "at01234567/..", "at0123456789%2F", "at0123456789é"} {
		err := checkAuthorizationKey("authorization", bad)
		require.ErrorIs(t, err, ErrInvalidInput, bad)
		if bad != "" {
			assert.NotContains(t, err.Error(), bad)
		}
	}
}

func TestExpiryJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC)
	decode := []struct {
		in   string
		want Expiry
	}{
		{`"never"`, ExpiresNever()},
		{`"Never"`, ExpiresNever()},
		{`"2025-01-02T03:04:05.678Z"`, ExpiresAt(at)},
		{`"2025-01-02T00:04:05.678-03:00"`, ExpiresAt(at)},
		{`"2025-01-02 03:04:05.678"`, ExpiresAt(at)},
		{`"2025-01-02"`, ExpiresAt(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))},
		{`"1 day"`, ExpiresIn("1 day")},
		{`null`, Expiry{}},
		{`""`, Expiry{}},
		{`1735787045678`, Expiry{Relative: "1735787045678"}},
		{`{"weird":true}`, Expiry{}},
		{`false`, Expiry{}},
	}
	for _, tt := range decode {
		var e Expiry
		require.NoError(t, json.Unmarshal([]byte(tt.in), &e), tt.in)
		assert.Equal(t, tt.want, e, tt.in)
	}
	var tok TokenInfo
	require.NoError(t, json.Unmarshal([]byte(`{"token":"x","expire_time":{"never":1},"created_at":null}`), &tok))
	assert.True(t, tok.ExpireTime.IsZero())

	encode := []struct {
		in   Expiry
		want string
	}{
		{ExpiresNever(), `"never"`},
		{ExpiresAt(at.In(time.FixedZone("X", 3600))), `"2025-01-02T03:04:05.678Z"`},
		{ExpiresIn("3 hours"), `"3 hours"`},
		{Expiry{}, `null`},
	}
	for _, tt := range encode {
		b, err := json.Marshal(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, string(b))
	}
	assert.Equal(t, "never", ExpiresNever().String())
	assert.Equal(t, "2025-01-02T03:04:05.678Z", ExpiresAt(at).String())
	assert.Equal(t, "1 day", ExpiresIn("1 day").String())
	assert.Empty(t, Expiry{}.String())
	assert.True(t, Expiry{}.IsZero())
	assert.False(t, ExpiresNever().IsZero())
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	s := Secret(resToken)
	assert.Equal(t, resToken, s.Reveal())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%-v", "%d"} {
		out := fmt.Sprintf(verb, s)
		assert.NotContains(t, out, resToken[:30], verb)
		assert.Contains(t, out, "****3c4d", verb)
	}
	assert.Equal(t, "****3c4d", s.String())
	assert.Equal(t, `tago.Secret("****3c4d")`, s.GoString())
	assert.Empty(t, Secret("").String())
	assert.Equal(t, "****", Secret("short").String())

	values := []any{
		TokenInfo{Name: "n", Token: resToken, LastAuthorization: resAuthKey, VerificationCode: "verify-me-please"},
		&TokenInfo{Token: resToken},
		[]TokenInfo{{Token: resToken}},
		Authorization{Name: "n", Token: resAuthKey, VerificationCode: "verify-me-please"},
		DeviceCreateResult{ID: resDeviceID, Token: resToken},
		DashboardPublicKey{Token: resToken},
		map[string]Secret{"k": resToken},
		ProfileTokenCreateRequest{Name: "n", Password: "verify-me-please"},
	}
	secrets := []string{resToken, resAuthKey, "verify-me-please"}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			for _, sec := range secrets {
				assert.NotContains(t, out, sec, "%s of %T", verb, v)
			}
		}
		err := fmt.Errorf("wrapped: %v", v)
		for _, sec := range secrets {
			assert.NotContains(t, err.Error(), sec)
		}
		handlers := []func(*bytes.Buffer) slog.Handler{
			func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		}
		for _, newHandler := range handlers {
			var buf bytes.Buffer
			slog.New(newHandler(&buf)).Info("value", "v", v, "err", err)
			for _, sec := range secrets {
				assert.NotContains(t, buf.String(), sec, "slog of %T: %s", v, buf.String())
			}
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("secret", "s", s)
	assert.Contains(t, buf.String(), `"s":"****3c4d"`)

	// encoding/json masks too (slog's JSON handler marshals slices and maps with it);
	// decoding reads the value, and request bodies send it (see the operation tests).
	b, err := json.Marshal(TokenInfo{Token: resToken, LastAuthorization: resAuthKey})
	require.NoError(t, err)
	assert.JSONEq(t, `{"token":"****3c4d","last_authorization":"****cdef"}`, string(b))
	var back TokenInfo
	require.NoError(t, json.Unmarshal([]byte(`{"token":"`+resToken+`"}`), &back))
	assert.Equal(t, resToken, back.Token.Reveal())
}

// secretOp is an operation whose path (and maybe body) carries secrets.
type secretOp struct {
	name, method, path string
	tok                Token
	secrets            []string // what the call knows is secret, echoed back by the platform
	run                func(ctx context.Context, c *Client) error
}

func TestSecretsInPathsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	acct := AccountToken(testAccountToken)
	ops := []secretOp{
		{"delete device token", "DELETE", "/device/token/" + resToken2, acct, []string{resToken2},
			func(ctx context.Context, c *Client) error { return c.Tokens.Delete(ctx, resToken2) }},
		{"delete profile token", "DELETE", "/profile/" + resProfileID + "/token/" + resToken2, acct, []string{resToken2},
			func(ctx context.Context, c *Client) error {
				return c.Tokens.DeleteProfile(ctx, resProfileID, resToken2)
			}},
		{"create profile token", "POST", "/profile/" + resProfileID + "/token", acct, []string{"pass-word-9", "246810"},
			func(ctx context.Context, c *Client) error {
				_, err := c.Tokens.CreateProfile(ctx, resProfileID, ProfileTokenCreateRequest{Name: "n", Permission: PermissionFull,
					Password: "pass-word-9", PinCode: "246810"})
				return err
			}},
		{"create authorization", "POST", "/serviceauth", acct, []string{"verify-me-please"},
			func(ctx context.Context, c *Client) error {
				_, err := c.Authorizations.Create(ctx, AuthorizationCreateRequest{Name: "n", VerificationCode: "verify-me-please"})
				return err
			}},
		{"edit authorization", "PUT", "/serviceauth/" + resAuthKey, acct, []string{resAuthKey, "verify-me-please"},
			func(ctx context.Context, c *Client) error {
				return c.Authorizations.Edit(ctx, resAuthKey, AuthorizationEditRequest{VerificationCode: Ptr(Secret("verify-me-please"))})
			}},
		{"delete authorization", "DELETE", "/serviceauth/" + resAuthKey, acct, []string{resAuthKey},
			func(ctx context.Context, c *Client) error { return c.Authorizations.Delete(ctx, resAuthKey) }},
		{"delete network token", "DELETE", "/integration/network/token/" + resToken2, acct, []string{resToken2},
			func(ctx context.Context, c *Client) error { return c.Networks.DeleteToken(ctx, resToken2) }},
		{"resolve token", "GET", "/integration/network/resolve/" + resDevEUI + "/" + resAuthKey, NetworkToken(testNetworkToken), []string{resAuthKey},
			func(ctx context.Context, c *Client) error {
				_, err := c.Networks.ResolveToken(ctx, resDevEUI, resAuthKey)
				return err
			}},
	}
	for _, op := range ops {
		for _, status := range []int{http.StatusNotFound, http.StatusUnauthorized} {
			t.Run(fmt.Sprintf("%s %d", op.name, status), func(t *testing.T) {
				t.Parallel()
				var logs bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				c, mt, _ := newTestClient(t, op.tok, WithLogger(logger))
				got := expect(mt, op.method, op.path, status,
					`{"status":false,"message":"not accepted: `+strings.Join(op.secrets, " and ")+`"}`)
				err := op.run(t.Context(), c)
				require.Error(t, err)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, status, apiErr.HTTPStatus)
				assert.Contains(t, apiErr.Message, "not accepted: "+redactedMark)
				for _, sec := range append(op.secrets, op.tok.value) {
					assert.NotContains(t, err.Error(), sec)
					assert.NotContains(t, fmt.Sprintf("%+v", err), sec)
					assert.NotContains(t, logs.String(), sec)
				}
				if op.method != "POST" {
					assert.Contains(t, apiErr.Path, redactedMark, "the path's secret is redacted")
				}
				assert.Contains(t, logs.String(), "tago: request")
				assert.Equal(t, 1, got.count())
			})
		}
	}
}

func TestAuthorizationDecoding(t *testing.T) {
	t.Parallel()
	var a Authorization
	require.NoError(t, json.Unmarshal([]byte(`{"token":"`+resAuthKey+`","name":"n","verification_code":"a","additional_parameters":"b"}`), &a))
	assert.Equal(t, Authorization{Token: resAuthKey, Name: "n", VerificationCode: "a"}, a, "verification_code wins over additional_parameters")
	require.NoError(t, json.Unmarshal([]byte(`{"token":"`+resAuthKey+`","additional_parameters":"b","expire_time":"never"}`), &a))
	assert.Equal(t, Authorization{Token: resAuthKey, VerificationCode: "b", ExpireTime: ExpiresNever()}, a)
	require.Error(t, json.Unmarshal([]byte(`{"token":5}`), &a))
}

package tago

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resSecretID and testSecretValue are a stored secret and its value; tests assert the
// value never leaks.
const (
	resSecretID     = "66ff0011223344556677aabb"
	testSecretValue = "SG.live-api-key-value"
)

func TestSecretsOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/secrets",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=key&orderBy=key,asc",
			result: `[{"id":"` + resSecretID + `","key":"SENDGRID_KEY"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Secrets.List(ctx, nil) },
			want:   []SecretInfo{{ID: resSecretID, Key: "SENDGRID_KEY"}},
		},
		{
			name: "list with filters", method: "GET", path: "/secrets",
			query: "page=1&amount=50&fields[0]=id&fields[1]=key&fields[2]=value_length&filter[key]=SEND*" +
				"&filter[tags][0][key]=env&filter[tags][0][value]=prod&orderBy=created_at,desc",
			result: `[{"id":"` + resSecretID + `","key":"SENDGRID_KEY","value_length":21}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Secrets.List(ctx, &SecretListOptions{
					ListOptions: ListOptions{Amount: 50, Fields: []string{"id", "key", "value_length"}, OrderBy: Desc("created_at")},
					Key:         "SEND*", Tags: []Tag{{Key: "env", Value: "prod"}},
				})
			},
			want: []SecretInfo{{ID: resSecretID, Key: "SENDGRID_KEY", ValueLength: 21}},
		},
		{
			name: "info", method: "GET", path: "/secrets/" + resSecretID,
			result: `{"id":"` + resSecretID + `","key":"SENDGRID_KEY","tags":[{"key":"env","value":"prod"}],"value_length":21,` +
				`"created_at":"2024-05-06T07:08:09.000Z","updated_at":"2024-05-06T07:08:09.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Secrets.Info(ctx, resSecretID) },
			want: SecretInfo{ID: resSecretID, Key: "SENDGRID_KEY", Tags: []Tag{{Key: "env", Value: "prod"}}, ValueLength: 21,
				CreatedAt: created, UpdatedAt: created},
		},
		{
			name: "create", method: "POST", path: "/secrets", status: http.StatusCreated,
			body:   `{"key":"SENDGRID_KEY","value":"` + testSecretValue + `","tags":[{"key":"env","value":"prod"}]}`,
			result: `{"id":"` + resSecretID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Secrets.Create(ctx, SecretCreateRequest{Key: "SENDGRID_KEY", Value: testSecretValue, Tags: []Tag{{Key: "env", Value: "prod"}}})
			},
			want: resSecretID,
		},
		{
			name: "edit the value", method: "PUT", path: "/secrets/" + resSecretID, result: `"Secret Successfully Updated"`,
			body: `{"value":"` + testSecretValue + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Secrets.Edit(ctx, resSecretID, SecretEditRequest{Value: testSecretValue}))
			},
		},
		{
			name: "remove every tag", method: "PUT", path: "/secrets/" + resSecretID, result: `"Secret Successfully Updated"`,
			body: `{"tags":[]}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Secrets.Edit(ctx, resSecretID, SecretEditRequest{Tags: []Tag{}}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/secrets/" + resSecretID, result: `"Secret Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Secrets.Delete(ctx, resSecretID)) },
		},
	})
}

func TestSecretValueNeverLeaks(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithLogger(logger))
	expect(mt, "POST", "/secrets", 400, `{"status":false,"message":"Value `+testSecretValue+` is too long"}`)
	_, err := c.Secrets.Create(t.Context(), SecretCreateRequest{Key: "K", Value: testSecretValue})
	require.ErrorIs(t, err, ErrBadRequest)
	assert.Equal(t, "tago: POST /secrets: 400 Value [redacted] is too long", err.Error())
	logger.Info("request", "create", SecretCreateRequest{Key: "K", Value: testSecretValue}, "edit", SecretEditRequest{Value: testSecretValue})
	assert.NotContains(t, logs.String(), testSecretValue)
}

func TestSecretCreateWithoutIDIsAnError(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "POST", "/secrets", 201, `{"status":true,"result":{"id":""}}`)
	_, err := c.Secrets.Create(t.Context(), SecretCreateRequest{Key: "K", Value: testSecretValue})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, `names no "id"`)
}

func TestSecretsBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"list with a keyless tag", "tags[0].key", func(ctx context.Context, c *Client) error {
			_, err := c.Secrets.List(ctx, &SecretListOptions{Tags: []Tag{{}}})
			return err
		}},
		{"all with a negative page", "page", func(ctx context.Context, c *Client) error {
			return firstErr(c.Secrets.All(ctx, &SecretListOptions{ListOptions: ListOptions{Page: -2}}))
		}},
		{"info with a bad ID", "secret ID", func(ctx context.Context, c *Client) error { _, err := c.Secrets.Info(ctx, "KEY"); return err }},
		{"create without a key", "key", func(ctx context.Context, c *Client) error {
			_, err := c.Secrets.Create(ctx, SecretCreateRequest{Value: testSecretValue})
			return err
		}},
		{"create a key with a space", "key", func(ctx context.Context, c *Client) error {
			_, err := c.Secrets.Create(ctx, SecretCreateRequest{Key: "MY KEY", Value: testSecretValue})
			return err
		}},
		{"create without a value", "value", func(ctx context.Context, c *Client) error {
			_, err := c.Secrets.Create(ctx, SecretCreateRequest{Key: "K"})
			return err
		}},
		{"create with a keyless tag", "tags[0].key", func(ctx context.Context, c *Client) error {
			_, err := c.Secrets.Create(ctx, SecretCreateRequest{Key: "K", Value: testSecretValue, Tags: []Tag{{Value: "x"}}})
			return err
		}},
		{"edit nothing", "secret edit", func(ctx context.Context, c *Client) error {
			return c.Secrets.Edit(ctx, resSecretID, SecretEditRequest{})
		}},
		{"edit a bad ID", "secret ID", func(ctx context.Context, c *Client) error {
			return c.Secrets.Edit(ctx, "x", SecretEditRequest{Value: testSecretValue})
		}},
		{"delete a bad ID", "secret ID", func(ctx context.Context, c *Client) error { return c.Secrets.Delete(ctx, "") }},
	})
}

package tago

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	resBackupID        = "678abc123def456789012345"
	resPassword        = "correct horse battery staple"
	resBackupSignature = "X-Amz-Signature=5ecret5ignature"
)

func TestProfileBackupsOperations(t *testing.T) {
	t.Parallel()
	base := "/profile/" + resProfileID + "/backup"
	url := "https://s3.amazonaws.com/tago-io/backup.zip?" + resBackupSignature
	accountOps(t, []opCase{
		{
			name: "create", method: "POST", path: base,
			result: `{"message":"Backup generation has been queued","profile":"` + resProfileID + `","backup_id":"` + resBackupID + `"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.ProfileBackups.Create(ctx, resProfileID) },
			want:   ProfileBackupCreated{ID: resBackupID, Profile: resProfileID, Message: "Backup generation has been queued"},
		},
		{
			name: "create for the current profile", method: "POST", path: "/profile/current/backup",
			result: `{"backup_id":"` + resBackupID + `"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.ProfileBackups.Create(ctx, "current") },
			want:   ProfileBackupCreated{ID: resBackupID},
		},
		{
			name: "list", method: "GET", path: base, query: "page=1&amount=20&orderBy=created_at,desc",
			result: `[{"id":"` + resBackupID + `","profile":"` + resProfileID + `","file_path":"profile/x/backup.zip","version_id":"abc",` +
				`"file_size":15728640,"status":"completed","error_message":null,"created_at":"2025-01-07T14:30:00.000Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.ProfileBackups.List(ctx, resProfileID, nil)
			},
			want: []ProfileBackup{{ID: resBackupID, Profile: resProfileID, FilePath: "profile/x/backup.zip", VersionID: "abc",
				FileSize: 15728640, Status: BackupCompleted, CreatedAt: time.Date(2025, 1, 7, 14, 30, 0, 0, time.UTC)}},
		},
		{
			name: "list oldest first", method: "GET", path: base, query: "page=2&amount=5&orderBy=created_at,asc",
			result: `[{"id":"` + resBackupID + `","status":"failed","error_message":"quota"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.ProfileBackups.List(ctx, resProfileID, &ProfileBackupListOptions{ListOptions{Page: 2, Amount: 5, OrderBy: Asc("created_at")}})
			},
			want: []ProfileBackup{{ID: resBackupID, Status: BackupFailed, ErrorMessage: "quota"}},
		},
		{
			name: "download", method: "POST", path: base + "/" + resBackupID + "/download",
			body: `{"password":"` + resPassword + `","otp_type":"authenticator","pin_code":"123456"}`,
			result: `{"url":"` + url + `","size":15728640,"size_unit":"bytes","file_size_mb":"15.00",` +
				`"expire_at":"2025-01-07T16:30:00.000Z","backup_id":"` + resBackupID + `","created_at":"2025-01-07T14:30:00.000Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.ProfileBackups.Download(ctx, resProfileID, resBackupID,
					BackupCredentials{Password: resPassword, OTPType: "authenticator", PinCode: "123456"})
			},
			want: BackupDownload{URL: Secret(url), Size: 15728640, ExpireAt: time.Date(2025, 1, 7, 16, 30, 0, 0, time.UTC),
				BackupID: resBackupID, CreatedAt: time.Date(2025, 1, 7, 14, 30, 0, 0, time.UTC)},
		},
		{
			name: "delete", method: "DELETE", path: base + "/" + resBackupID,
			body: `{"password":"` + resPassword + `"}`, result: `"Backup successfully removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.ProfileBackups.Delete(ctx, resProfileID, resBackupID, BackupCredentials{Password: resPassword}))
			},
		},
	})
}

func TestProfileBackupsAllPages(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "GET", "/profile/"+resProfileID+"/backup",
		reply(200, `{"status":true,"result":[{"id":"`+resBackupID+`"}]}`), reply(200, `{"status":true,"result":[]}`))
	n, err := countAll(c.ProfileBackups.All(t.Context(), resProfileID, &ProfileBackupListOptions{ListOptions{Amount: 1}}))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	reqs := got.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "page=2&amount=1&orderBy=created_at,desc", reqs[1].Query)
}

// TestBackupSecretsNeverPrinted: the password, the one-time code and the signed
// download URL never show in an error, a log line or a formatted value.
func TestBackupSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithLogger(logger), WithRetryPolicy(NoRetries()))
	expect(mt, "DELETE", "/profile/"+resProfileID+"/backup/"+resBackupID, 401,
		`{"status":false,"message":"Invalid password `+resPassword+` / 987654"}`)
	cred := BackupCredentials{Password: resPassword, OTPType: "sms", PinCode: "987654"}
	err := c.ProfileBackups.Delete(t.Context(), resProfileID, resBackupID, cred)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.NotContains(t, err.Error(), resPassword)
	assert.NotContains(t, err.Error(), "987654")

	dl := BackupDownload{URL: Secret("https://s3.example/b.zip?" + resBackupSignature), BackupID: resBackupID}
	logger.Info("values", "cred", cred, "download", dl)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cred, dl} {
			out := fmt.Sprintf(verb, v)
			assert.NotContains(t, out, resPassword, verb)
			assert.NotContains(t, out, "987654", verb)
			assert.NotContains(t, out, resBackupSignature, verb)
		}
	}
	assert.Contains(t, logs.String(), resBackupID)
	assert.NotContains(t, logs.String(), resPassword)
	assert.NotContains(t, logs.String(), "987654")
	assert.NotContains(t, logs.String(), resBackupSignature)
}

func TestProfileBackupsBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	cred := BackupCredentials{Password: resPassword}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"create for a bad profile", "profile ID", func(ctx context.Context, c *Client) error {
			_, err := c.ProfileBackups.Create(ctx, "me")
			return err
		}},
		{"list with fields", "fields", func(ctx context.Context, c *Client) error {
			_, err := c.ProfileBackups.List(ctx, resProfileID, &ProfileBackupListOptions{ListOptions{Fields: []string{"id"}}})
			return err
		}},
		{"all with a bad page", "page", func(ctx context.Context, c *Client) error {
			return firstErr(c.ProfileBackups.All(ctx, resProfileID, &ProfileBackupListOptions{ListOptions{Page: -2}}))
		}},
		{"all for a bad profile", "profile ID", func(ctx context.Context, c *Client) error {
			return firstErr(c.ProfileBackups.All(ctx, "", nil))
		}},
		{"download a bad backup", "backup ID", func(ctx context.Context, c *Client) error {
			_, err := c.ProfileBackups.Download(ctx, resProfileID, "b", cred)
			return err
		}},
		{"download without a password", "password", func(ctx context.Context, c *Client) error {
			_, err := c.ProfileBackups.Download(ctx, resProfileID, resBackupID, BackupCredentials{})
			return err
		}},
		{"download with a bad OTP type", "otp type", func(ctx context.Context, c *Client) error {
			_, err := c.ProfileBackups.Download(ctx, resProfileID, resBackupID, BackupCredentials{Password: "p", OTPType: "fax", PinCode: "1"})
			return err
		}},
		{"download with an OTP type and no code", "pin code", func(ctx context.Context, c *Client) error {
			_, err := c.ProfileBackups.Download(ctx, resProfileID, resBackupID, BackupCredentials{Password: "p", OTPType: "sms"})
			return err
		}},
		{"delete for a bad profile", "profile ID", func(ctx context.Context, c *Client) error {
			return c.ProfileBackups.Delete(ctx, "x", resBackupID, cred)
		}},
		{"delete without a password", "password", func(ctx context.Context, c *Client) error {
			return c.ProfileBackups.Delete(ctx, resProfileID, resBackupID, BackupCredentials{})
		}},
	})
}

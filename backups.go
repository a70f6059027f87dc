package tago

import (
	"context"
	"iter"
	"log/slog"
	"time"
)

// ProfileBackupsService creates, lists, downloads and deletes backups of a profile
// (account token). A backup is a zip of the profile's files, dashboard and analysis
// versions and every resource's configuration as JSON, generated in the background;
// TagoIO allows one a day and none on the free plan (ErrForbidden).
type ProfileBackupsService service

func (s *ProfileBackupsService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// BackupStatus is the state of a profile backup.
type BackupStatus string

// The states of a profile backup.
const (
	// BackupQueued is a backup waiting to be generated.
	BackupQueued BackupStatus = "queued"
	// BackupProcessing is a backup being generated.
	BackupProcessing BackupStatus = "processing"
	// BackupCompleted is a backup ready for download.
	BackupCompleted BackupStatus = "completed"
	// BackupFailed is a backup whose generation failed (see ErrorMessage).
	BackupFailed BackupStatus = "failed"
)

// ProfileBackup is one backup of a profile.
type ProfileBackup struct {
	// ID is the backup's ID.
	ID string `json:"id"`
	// Profile is the ID of the profile backed up.
	Profile string `json:"profile,omitempty"`
	// FilePath is the backup's path in storage.
	FilePath string `json:"file_path,omitempty"`
	// VersionID is the stored file's version.
	VersionID string `json:"version_id,omitempty"`
	// FileSize is the backup's size in bytes.
	FileSize int64 `json:"file_size,omitempty"`
	// Status is the backup's state.
	Status BackupStatus `json:"status,omitempty"`
	// ErrorMessage says why a failed backup failed.
	ErrorMessage string `json:"error_message,omitempty"`
	// CreatedAt is when the backup was requested.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// ProfileBackupCreated is the answer to [ProfileBackupsService.Create].
type ProfileBackupCreated struct {
	// ID is the new backup's ID; follow it with [ProfileBackupsService.List].
	ID string `json:"backup_id"`
	// Profile is the ID of the profile backed up.
	Profile string `json:"profile,omitempty"`
	// Message is the platform's message, such as "Backup generation has been queued".
	Message string `json:"message,omitempty"`
}

// backupPath returns /profile/{id}/backup.
func backupPath(profileID string) string { return "/profile/" + escape(profileID) + "/backup" }

// Create asks for a new backup of a profile; it is generated in the background, so its
// Status in [ProfileBackupsService.List] goes from queued to completed (or failed).
// profileID may be "current".
//
// TagoIO API: POST /profile/{id}/backup
func (s *ProfileBackupsService) Create(ctx context.Context, profileID string) (ProfileBackupCreated, error) {
	if err := checkProfileID(profileID, true); err != nil {
		return ProfileBackupCreated{}, err
	}
	return do[ProfileBackupCreated](ctx, s.cl(), &call{method: "POST", path: backupPath(profileID), kinds: accountOnly})
}

// ProfileBackupListOptions pages [ProfileBackupsService.List] and
// [ProfileBackupsService.All]. The route returns whole backups: Fields must be empty.
type ProfileBackupListOptions struct {
	ListOptions
}

// backupsDefaults are the platform's documented defaults: newest first.
var backupsDefaults = listDefaults{order: Desc("created_at")}

// List returns one page of a profile's backups, newest first by default. profileID may
// be "current".
//
// TagoIO API: GET /profile/{id}/backup
func (s *ProfileBackupsService) List(ctx context.Context, profileID string, opts *ProfileBackupListOptions) ([]ProfileBackup, error) {
	if err := checkProfileID(profileID, true); err != nil {
		return nil, err
	}
	var o ProfileBackupListOptions
	if opts != nil {
		o = *opts
	}
	if len(o.Fields) > 0 {
		return nil, invalidf("fields", "this listing returns whole backups and takes no fields")
	}
	q, err := listQuery(&o.ListOptions, backupsDefaults, nil)
	if err != nil {
		return nil, err
	}
	return do[[]ProfileBackup](ctx, s.cl(), &call{method: "GET", path: backupPath(profileID), query: q, kinds: accountOnly})
}

// All returns an iterator over every backup of a profile, fetching pages as the caller
// ranges.
//
// TagoIO API: GET /profile/{id}/backup
func (s *ProfileBackupsService) All(ctx context.Context, profileID string, opts *ProfileBackupListOptions) iter.Seq2[ProfileBackup, error] {
	var o ProfileBackupListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]ProfileBackup, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, profileID, &p)
	})
}

// BackupCredentials confirm a download or deletion of a backup with the account's
// password and, when the account uses two-factor authentication, a one-time code.
type BackupCredentials struct {
	// Password is the account's password.
	Password Secret `json:"password"`
	// OTPType is how the one-time code was obtained: "authenticator", "sms" or "email";
	// empty without two-factor authentication.
	OTPType string `json:"otp_type,omitempty"`
	// PinCode is the one-time code.
	PinCode Secret `json:"pin_code,omitempty"`
}

// LogValue logs the credentials masked.
func (c BackupCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("password", c.Password.String()), slog.String("otp_type", c.OTPType),
		slog.String("pin_code", c.PinCode.String()))
}

// check validates the credentials.
func (c *BackupCredentials) check() error {
	if c.Password == "" {
		return invalidf("password", "must not be empty")
	}
	switch c.OTPType {
	case "", "authenticator", "sms", "email":
	default:
		return invalidf("otp type", "unknown type %q (want authenticator, sms or email)", c.OTPType)
	}
	if c.OTPType != "" && c.PinCode == "" {
		return invalidf("pin code", "must be set with an OTP type")
	}
	return nil
}

// secrets returns the values to redact from errors and logs.
func (c *BackupCredentials) secrets() []string {
	return []string{c.Password.Reveal(), c.PinCode.Reveal()}
}

// BackupDownload is a time-limited address to download a completed backup from.
type BackupDownload struct {
	// URL is the signed download address, valid for two hours; it is a [Secret] since
	// anyone holding it can download the backup.
	URL Secret `json:"url"`
	// Size is the backup's size in bytes.
	Size int64 `json:"size,omitempty"`
	// ExpireAt is when URL stops working.
	ExpireAt time.Time `json:"expire_at,omitzero"`
	// BackupID is the backup's ID.
	BackupID string `json:"backup_id,omitempty"`
	// CreatedAt is when the backup was requested.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// LogValue logs the download with its URL masked.
func (d BackupDownload) LogValue() slog.Value {
	return slog.GroupValue(slog.String("backup_id", d.BackupID), slog.String("url", d.URL.String()),
		slog.Int64("size", d.Size))
}

// Download returns a signed address to download a completed backup from, valid for
// two hours. The platform asks for the account's password; a backup not completed yet
// is refused (ErrBadRequest).
//
// TagoIO API: POST /profile/{id}/backup/{backupID}/download
func (s *ProfileBackupsService) Download(ctx context.Context, profileID, backupID string, cred BackupCredentials) (BackupDownload, error) {
	if err := checkProfileID(profileID, true); err != nil {
		return BackupDownload{}, err
	}
	if err := checkID("backup ID", backupID); err != nil {
		return BackupDownload{}, err
	}
	if err := cred.check(); err != nil {
		return BackupDownload{}, err
	}
	return do[BackupDownload](ctx, s.cl(), &call{method: "POST", path: backupPath(profileID) + "/" + escape(backupID) + "/download",
		body: cred, secrets: cred.secrets(), kinds: accountOnly})
}

// Delete deletes a backup for good. The platform asks for the account's password.
//
// TagoIO API: DELETE /profile/{id}/backup/{backupID}
func (s *ProfileBackupsService) Delete(ctx context.Context, profileID, backupID string, cred BackupCredentials) error {
	if err := checkProfileID(profileID, true); err != nil {
		return err
	}
	if err := checkID("backup ID", backupID); err != nil {
		return err
	}
	if err := cred.check(); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: backupPath(profileID) + "/" + escape(backupID),
		body: cred, secrets: cred.secrets(), kinds: accountOnly})
}

package tagotest

import (
	"net/http"
	"sort"
	"strings"
	"time"
)

// Profile backups. The platform generates a backup in the background; the fake has
// nothing to archive, so a new backup is "completed" at once with an empty file, and
// its download address (https://tagotest.invalid/...) is not served. As on the
// platform, a profile gets one backup per day (UTC in the fake), deleted ones included:
// a second is a 403.

// profileBackup is one backup of a profile.
type profileBackup struct {
	id, profile string
	createdAt   time.Time
	seq         int64
	deleted     bool // kept to count against the daily limit
}

func (b *profileBackup) view() obj {
	return obj{
		"id": b.id, "profile": b.profile,
		"file_path":  "profile/" + b.profile + "/versioning/backup/backup-" + b.id + ".zip",
		"version_id": b.id[len(b.id)-12:], "file_size": 0, "status": "completed", "error_message": nil,
		"created_at": jsTime(b.createdAt),
	}
}

// backupsLocked returns a profile's backups in creation order, deleted ones too when
// withDeleted is set.
func (s *Server) backupsLocked(prof string, withDeleted bool) []*profileBackup {
	var out []*profileBackup
	for _, b := range s.backups {
		if b.profile == prof && (withDeleted || !b.deleted) {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// createBackup answers POST /profile/{id}/backup with {message, profile, backup_id}.
func (s *Server) createBackup(c *call) reply {
	p, rep, good := c.callerProfile(c.arg(0))
	if !good {
		return rep
	}
	now := s.now().UTC()
	for _, b := range s.backupsLocked(p.id, true) {
		if y, m, d := b.createdAt.UTC().Date(); y == now.Year() && m == now.Month() && d == now.Day() {
			return fail(http.StatusForbidden, "Daily backup limit reached (1 backups per day). Please try again tomorrow or contact support to increase your limit.")
		}
	}
	if s.backups == nil {
		s.backups = map[string]*profileBackup{}
	}
	b := &profileBackup{id: s.newID(), profile: p.id, createdAt: now, seq: s.nextSeq()}
	s.backups[b.id] = b
	return ok(obj{"message": "Backup generation has been queued and will be processed shortly. You can check the status using the list backups endpoint.",
		"profile": p.id, "backup_id": b.id})
}

// listBackups answers GET /profile/{id}/backup with page, amount and orderBy (default
// created_at,desc).
func (s *Server) listBackups(c *call) reply {
	p, rep, good := c.callerProfile(c.arg(0))
	if !good {
		return rep
	}
	o, rep, good := c.listOptions("created_at,desc")
	if !good {
		return rep
	}
	bs := s.backupsLocked(p.id, false)
	items := make([]obj, len(bs))
	for i, b := range bs {
		items[i] = b.view()
	}
	return ok(applyList(items, o))
}

// backupFor finds a backup of the path's profile and checks the body's password
// (required; the fake accepts any).
func (c *call) backupFor() (*profileBackup, reply, bool) {
	p, rep, good := c.callerProfile(c.arg(0))
	if !good {
		return nil, rep, false
	}
	var body struct {
		Password *string `json:"password"`
		OTPType  *string `json:"otp_type"`
		PinCode  *string `json:"pin_code"`
	}
	if rep, good := c.decodeBody(&body); !good {
		return nil, rep, false
	}
	if body.Password == nil || *body.Password == "" {
		return nil, bad("password", "is required"), false
	}
	b := c.s.backups[c.arg(1)]
	if b == nil || b.profile != p.id || b.deleted {
		return nil, fail(http.StatusNotFound, "Backup not found or you don't have permission to access it."), false
	}
	return b, reply{}, true
}

// downloadBackup answers POST /profile/{id}/backup/{backupID}/download {password} with
// a download address valid for two hours.
func (s *Server) downloadBackup(c *call) reply {
	b, rep, good := c.backupFor()
	if !good {
		return rep
	}
	sig := strings.ReplaceAll(s.newToken(), "-", "")
	return ok(obj{
		"url":  "https://tagotest.invalid/backups/" + b.id + ".zip?signature=" + sig,
		"size": 0, "size_unit": "bytes", "file_size_mb": "0.00",
		"expire_at": jsTime(s.now().Add(2 * time.Hour)), "backup_id": b.id, "created_at": jsTime(b.createdAt),
	})
}

// deleteBackup answers DELETE /profile/{id}/backup/{backupID} {password}.
func (s *Server) deleteBackup(c *call) reply {
	b, rep, good := c.backupFor()
	if !good {
		return rep
	}
	b.deleted = true
	return ok("Backup successfully removed")
}

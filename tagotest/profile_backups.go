package tagotest

import (
	"net/http"
	"strings"
	"time"
)

// Profile backups are a collection nested in profiles (/profile/{id}/backup): the
// generic list (newest first) and create (no body), and download and delete, which
// need the account's password, below. The platform generates a backup in the
// background; the fake has nothing to archive, so a new backup is "completed" at once
// with an empty file, and its download address (https://tagotest.invalid/...) is not
// served. As on the platform, a profile gets one backup per day (UTC in the fake),
// deleted ones included: a second is a 403. A deleted backup is kept, hidden, to count.
var profileBackupSpec = register(&spec{
	key: "profile_backup", noun: "Backup", path: "/profile/:parent/backup", kinds: accountOnly,
	ops: opList | opCreate, parent: "profile", parentField: "profile", order: "created_at,desc",
	strict: true, bodyless: true, noTimes: true, hidden: []string{"deleted"},
	owns: func(c *call, d *doc) bool {
		p := c.s.table("profile")[d.str("profile")]
		return p != nil && profileSpec.owner(c, p) && d.fields["deleted"] != true
	},
	defaults: func(c *call) obj {
		return obj{"file_size": 0.0, "status": "completed", "error_message": nil, "created_at": jsTime(c.s.now())}
	},
	validate: func(c *call, _ obj, _ *doc) (reply, bool) {
		p, rep, good := profileSpec.lookup(c, c.arg(0), true)
		if !good {
			return rep, false
		}
		now := c.s.now().UTC()
		for _, b := range c.s.docsLocked("profile_backup", func(d *doc) bool { return d.fields["profile"] == p.id }) {
			created := time.Time(b.fields["created_at"].(jsTime)).UTC()
			if y, m, d := created.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
				return fail(http.StatusForbidden, "Daily backup limit reached (1 backups per day). Please try again tomorrow or contact support to increase your limit."), false
			}
		}
		return reply{}, true
	},
	inserted: func(c *call, d *doc) {
		d.fields["file_path"] = "profile/" + d.str("profile") + "/versioning/backup/backup-" + d.id + ".zip"
		d.fields["version_id"] = d.id[len(d.id)-12:]
	},
	result: func(c *call, d *doc) any {
		return obj{"message": "Backup generation has been queued and will be processed shortly. You can check the status using the list backups endpoint.",
			"profile": d.fields["profile"], "backup_id": d.id}
	},
})

// confirmedBackup finds the backup of a backup route (/profile/{id}/backup/{backupID}/...)
// and checks the account's password in the body (and, with two-factor authentication,
// the code).
func (c *call) confirmedBackup() (*doc, reply, bool) {
	b, rep, good := profileBackupSpec.item(c, true)
	if !good {
		return nil, rep, false
	}
	if rep, good := c.confirmLocked(); !good {
		return nil, rep, false
	}
	return b, reply{}, true
}

// downloadBackup answers POST /profile/{id}/backup/{backupID}/download {password} with
// a download address valid for two hours.
func (s *Server) downloadBackup(c *call) reply {
	b, rep, good := c.confirmedBackup()
	if !good {
		return rep
	}
	sig := strings.ReplaceAll(s.newToken(), "-", "")
	return ok(obj{
		"url":  "https://tagotest.invalid/backups/" + b.id + ".zip?signature=" + sig,
		"size": 0, "size_unit": "bytes", "file_size_mb": "0.00",
		"expire_at": jsTime(s.now().Add(2 * time.Hour)), "backup_id": b.id, "created_at": b.fields["created_at"],
	})
}

// deleteBackup answers DELETE /profile/{id}/backup/{backupID} {password}.
func (s *Server) deleteBackup(c *call) reply {
	b, rep, good := c.confirmedBackup()
	if !good {
		return rep
	}
	b.fields["deleted"] = true
	s.auditLocked(c, profileBackupSpec.key, b.id, "deleted")
	return ok("Backup successfully removed")
}

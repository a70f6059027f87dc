package tagotest

import "net/http"

// TagoCore instances register themselves with the platform; the API lists, reads,
// edits and deletes them and issues their tokens. Tests add instances with
// [Server.AddTagoCore].

var tcoreSpec = register(&spec{
	key: "tcore", noun: "TagoCore", path: "/tcore/instance", kinds: accountOnly, tagType: "tcore",
	ops: opList | opInfo | opEdit | opDelete, order: "name,asc", listFields: []string{"id", "name"},
	fields: map[string]ftype{"name": fString, "active": fBool}, strict: true,
	readOnly: []string{"profile", "connected", "token", "machine_id", "internet_ip", "local_ips", "tcore_version", "os",
		"computer_usage", "summary", "last_connection", "system_start_time", "tcore_start_time"},
	hidden:  []string{"summary"},
	updated: "TagoCore Successfully Updated",
	infoView: func(c *call, d *doc) obj {
		out := obj{}
		for k, v := range d.fields {
			if k != "summary" || c.q.str("summary") == "true" {
				out[k] = v
			}
		}
		return out
	},
})

// TagoCore is a TagoCore instance added with [Server.AddTagoCore].
type TagoCore struct {
	// ID is the instance's ID.
	ID string
	// Token is the instance's token.
	Token string
}

// AddTagoCore registers a TagoCore instance with the default profile, as a
// self-hosted server connecting for the first time would.
func (s *Server) AddTagoCore(name string) TagoCore {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := jsTime(s.now())
	f := obj{"name": name, "profile": s.defaultProfile, "active": true, "connected": true, "token": s.newToken(),
		"machine_id": s.newID(), "internet_ip": "203.0.113.7", "local_ips": "192.168.0.7", "tcore_version": "0.7.0",
		"os":             obj{"name": "Debian", "arch": "arm64", "version": "12", "platform": "linux"},
		"computer_usage": []any{}, "summary": obj{"device": 0, "action": 0, "analysis": 0}, "tags": []Tag{},
		"last_connection": now, "system_start_time": now, "tcore_start_time": now}
	d := s.insertLocked(tcoreSpec, s.defaultProfile, "", f)
	return TagoCore{ID: d.id, Token: d.str("token")}
}

// tcoreToken answers GET /tcore/instance/{id}/token: a new token replaces the old.
func (s *Server) tcoreToken(c *call) reply {
	d, rep, good := tcoreSpec.lookup(c, c.arg(0), true)
	if !good {
		return rep
	}
	if d.fields["active"] == false {
		return fail(http.StatusBadRequest, "The TagoCore is not active")
	}
	d.fields["token"] = s.newToken()
	return ok(d.fields["token"])
}

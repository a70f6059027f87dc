package tagotest

import (
	"net/http"
	"strings"
)

// route is one endpoint of the fake platform. A segment ":name" in the pattern matches
// any one path segment, and a last segment "*name" the rest of the path (one segment
// or more, as one argument); kinds lists the token kinds it accepts (none: anonymous).
type route struct {
	method string
	segs   []string
	kinds  []kind
	h      func(*call) reply
}

func (s *Server) routeTable() []route {
	var (
		acc  = []kind{kindAccount}
		dev  = []kind{kindDevice}
		netw = []kind{kindNetwork}
		ru   = []kind{kindRunUser}
	)
	r := func(method, pattern string, kinds []kind, h func(*call) reply) route {
		return route{method: method, segs: splitPath(pattern), kinds: kinds, h: h}
	}
	const (
		get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	)
	rs := []route{
		r(get, "/status", nil, s.status),
		r(get, "/tags/keys/:type", acc, s.tagKeys),
		r(get, "/info", []kind{kindDevice, kindNetwork, kindAuthorization, kindAnalysis}, s.info),

		// Device API (device token).
		r(post, "/data", dev, s.postData),
		r(get, "/data", dev, s.getData),
		r(put, "/data", dev, s.editData),
		r(del, "/data", dev, s.deleteData),
		r(get, "/device/params", dev, s.ownParams),
		r(put, "/device/params/:param", dev, s.markParamRead),

		// Devices (account token); list, info, create, edit and delete of devices,
		// dashboards, widgets, networks and connectors are collection routes.
		r(get, "/device/:id/data_amount", acc, s.dataAmount),
		r(post, "/device/:id/empty", acc, s.emptyDevice),
		r(post, "/device/:id/data", acc, s.postData),
		r(get, "/device/:id/data", acc, s.getData),
		r(put, "/device/:id/data", acc, s.editData),
		r(del, "/device/:id/data", acc, s.deleteData),
		r(get, "/device/:id/params", acc, s.listParams),
		r(post, "/device/:id/params", acc, s.setParams),
		r(del, "/device/:id/params/:param", acc, s.removeParam),
		r(get, "/device/:id/chunk", acc, s.listChunks),
		r(del, "/device/:id/chunk/:chunk", acc, s.deleteChunk),
		r(post, "/device/:id/chunk/backup", acc, s.backupChunk),
		r(post, "/device/:id/chunk/copy", acc, s.backupChunk),
		r(post, "/device/:id/data/backup", acc, s.backupData),
		r(post, "/device/:id/data/restore", acc, s.restoreData),
		r(post, "/device/:id/convert", acc, s.convertDevice),
		r(get, "/device/token/:id", acc, s.listDeviceTokens),
		r(post, "/device/token", acc, s.createDeviceToken),
		r(del, "/device/token/:token", acc, s.deleteDeviceToken),

		// Account (anonymous routes have no kinds) and profiles (list, info, create and
		// edit of profiles, list and create of their backups are collection routes).
		r(post, "/account", nil, s.createAccount),
		r(post, "/account/login", nil, s.login),
		r(post, "/account/login/otp", nil, s.requestLoginPIN),
		r(post, "/account/profile/token", nil, s.accountProfileToken),
		r(get, "/account/passwordreset/:email", nil, s.passwordRecover),
		r(get, "/account/resend_confirmation/:email", nil, s.resendConfirmation),
		r(get, "/account/confirm/:token", nil, s.confirmAccount),
		r(get, "/profile/team/accept/:token", nil, s.teamAnswer(true)),
		r(get, "/profile/team/decline/:token", nil, s.teamAnswer(false)),
		r(get, "/account", acc, s.accountInfo),
		r(put, "/account", acc, s.editAccount),
		r(del, "/account", acc, s.deleteAccount),
		r(post, "/account/passwordreset", acc, s.changePassword),
		r(post, "/account/otp/:type/:action", acc, s.otpChange),
		r(post, "/account/otp/:type/confirm", acc, s.otpConfirm),
		r(del, "/profile/:id", acc, s.deleteProfile),
		r(get, "/profile/:id/summary", acc, s.summary),
		r(get, "/profile/:id/statistics", acc, s.statistics),
		r(get, "/profile/:id/auditlog", acc, s.auditLog),
		r(get, "/profile/:id/auditlog/:query", acc, s.auditLogQuery),
		r(get, "/profile/:id/addons", acc, s.addons),
		r(post, "/profile/:id/addons", acc, s.editAddons),
		r(del, "/profile/:id/:addon", acc, s.removeAddon),
		r(post, "/profile/:id/services", acc, s.editServices),
		r(put, "/profile/switch/:id", acc, s.switchProfile),
		r(get, "/profile/:id/team", acc, s.teamList),
		r(post, "/profile/:id/team", acc, s.teamAdd),
		r(del, "/profile/:id/team/:account", acc, s.teamRemove),
		r(get, "/profile/:id/token", acc, s.listProfileTokens),
		r(post, "/profile/:id/token", acc, s.createProfileToken),
		r(del, "/profile/:id/token/:token", acc, s.deleteProfileToken),
		r(post, "/profile/:id/backup/:backup/download", acc, s.downloadBackup),
		r(del, "/profile/:id/backup/:backup", acc, s.deleteBackup),

		// Service authorizations.
		r(get, "/serviceauth", acc, s.listAuthorizations),
		r(post, "/serviceauth", acc, s.createAuthorization),
		r(put, "/serviceauth/:token", acc, s.editAuthorization),
		r(del, "/serviceauth/:token", acc, s.deleteAuthorization),

		// Dashboards and widgets.
		r(post, "/dashboard/:id/duplicate", acc, s.duplicateDashboard),
		r(get, "/dashboard/:id/share/public", acc, s.dashboardPublicKey),
		r(get, "/dashboard/:id/devices", acc, s.dashboardDevices),
		r(get, "/dashboard/:id/analysis", acc, s.dashboardAnalyses),
		r(get, "/dashboard/:id/widget/:widget/token", acc, s.widgetToken),
		r(get, "/data/:id/:widget", acc, s.getWidgetData),
		r(post, "/data/:id/:widget", acc, s.sendWidgetData),
		r(put, "/data/:id/:widget/data", acc, s.editWidgetData),
		r(put, "/data/:id/:widget/resource", acc, s.editWidgetResource),
		r(del, "/data/:id/:widget", acc, s.deleteWidgetData),

		// Analyses (list, info, create, edit and delete are collection routes); the
		// download link a script download answers needs no token.
		r(post, "/analysis/:id/run", acc, s.runAnalysis),
		r(post, "/analysis/:id/run/:dashboard/:widget", acc, s.runWidgetAnalysis),
		r(get, "/analysis/:id/token", acc, s.analysisToken),
		r(post, "/analysis/:id/upload", acc, s.uploadScript),
		r(get, "/analysis/:id/download", acc, s.downloadScript),
		r(get, "/tagotest/script/:key", nil, s.scriptFile),

		// Notifications of the profile (list, create and delete are collection routes).
		r(put, "/notification/read", acc, s.markProfileNotifications),
		r(put, "/notification/markallread", acc, s.markAllProfileNotifications),
		r(post, "/notification/push/register", acc, s.pushRegistration),
		r(post, "/notification/push/unregister", acc, s.pushRegistration),
		r(put, "/notification/:id/:button", acc, s.pressProfileNotification),

		// TagoRUN administration (run users and the run's notifications' create, edit
		// and delete are collection routes).
		r(get, "/run", acc, s.runSettings),
		r(put, "/run", acc, s.editRun),
		r(get, "/run/users/:id/login", acc, s.loginAsRunUser),
		r(post, "/run/email_test", acc, s.runEmailTest),
		r(get, "/run/notification/:id", acc, s.runUserNotifications),
		r(get, "/run/sso/saml", acc, s.samlInfo),
		r(put, "/run/sso/saml", acc, s.editSAML),
		r(post, "/run/customdomain/:id", acc, s.customDomain),
		r(get, "/run/customdomain/:id", acc, s.customDomain),
		r(del, "/run/customdomain/:id", acc, s.customDomain),
		r(put, "/run/customdomain/regenerate/:id", acc, s.customDomain),

		// TagoRUN users' side, /run/{url}/...: without a token, then with the user's.
		r(post, "/run/:url/signup", nil, s.runSignup),
		r(post, "/run/:url/login", nil, s.runLogin),
		r(post, "/run/:url/login/otp", nil, s.runLoginPIN),
		r(get, "/run/:url/confirm/:token", nil, s.runConfirm),
		r(get, "/run/:url/passwordreset/:email", nil, s.runPasswordRecover),
		r(post, "/run/:url/passwordreset", ru, s.runSelf),
		r(get, "/run/:url/info", ru, s.runSelf),
		r(put, "/run/:url/info", ru, s.runSelf),
		r(del, "/run/:url/delete", ru, s.runSelf),
		r(post, "/run/:url/otp/:type/:action", ru, s.runOTP),
		r(get, "/run/:url/notification", ru, s.runOwnNotifications),
		r(put, "/run/:url/notification", ru, s.runOwnNotifications),
		r(put, "/run/:url/notification/markallread", ru, s.runNotification),
		r(put, "/run/:url/notification/:id/:button", ru, s.runNotification),
		r(del, "/run/:url/notification/:id", ru, s.runNotification),
		r(get, "/run/:url/sdb/:key", ru, s.runSDB),
		r(post, "/run/:url/sdb/:key", ru, s.runSDB),
		r(del, "/run/:url/sdb/:key", ru, s.runSDB),

		// Dictionaries' languages, by ID or slug, and a run's without a token.
		r(get, "/dictionary/:id/:locale", acc, s.dictionaryLanguage),
		r(put, "/dictionary/:id/:locale", acc, s.dictionaryLanguage),
		r(del, "/dictionary/:id/:locale", acc, s.dictionaryLanguage),
		r(get, "/dictionary/:url/:slug/:locale", nil, s.runDictionaryLanguage),

		// Templates and TagoCore instances.
		r(post, "/template", acc, s.generateTemplate),
		r(get, "/template/:id", acc, s.templateInfo),
		r(post, "/template/:id", acc, s.installTemplate),
		r(get, "/tcore/instance/:id/token", acc, s.tcoreToken),

		// TagoSQL (list, info and create are collection routes).
		r(put, "/sql/:id", acc, s.editSQL),
		r(del, "/sql/:id", acc, s.deleteSQL),
		r(get, "/sql/tables", acc, s.sqlTables),
		r(get, "/sql/:id/version/:n", acc, s.sqlVersion),
		r(post, "/sql/:id/execute", acc, s.executeSQL),

		// Entities' schemas and records (list, info, create, edit and delete are
		// collection routes).
		r(put, "/entity/:id/schema", acc, s.editEntitySchema),
		r(get, "/entity/:id/data_amount", acc, s.entityAmount),
		r(post, "/entity/:id/empty", acc, s.emptyEntity),
		r(get, "/entity/:id/data", acc, s.getEntityData),
		r(post, "/entity/:id/data", acc, s.postEntityData),
		r(put, "/entity/:id/data", acc, s.editEntityData),
		r(del, "/entity/:id/data", acc, s.deleteEntityData),

		// Networks and connectors (account token).
		r(get, "/integration/network/token/:id", acc, s.listNetworkTokens),
		r(post, "/integration/network/token", acc, s.createNetworkToken),
		r(del, "/integration/network/token/:token", acc, s.deleteNetworkToken),

		// Network token operations.
		r(get, "/integration/network/resolve/:serie", netw, s.resolveToken),
		r(get, "/integration/network/resolve/:serie/:authorization", netw, s.resolveToken),
		r(post, "/integration/network/:id/params", netw, s.networkSetParams),
		r(post, "/integration/network/data", netw, s.networkData),
		r(get, "/integration/network/:id/devices", netw, s.networkDevices),
		r(post, "/integration/network/publish", netw, s.publishToRelay),

		// Files (files.go, files_upload.go). "*path" takes the rest of the path.
		r(get, "/files", acc, s.listFiles),
		r(post, "/files", acc, s.postFiles),
		r(put, "/files", acc, s.moveFiles),
		r(put, "/files/copy", acc, s.copyFiles),
		r(del, "/files", acc, s.deleteFiles),
		r(get, "/files/permission", acc, s.filePermission),
		r(put, "/files/permission", acc, s.setFilePermissions),
		r(post, "/data/files/:id/:widget", acc, s.postWidgetFiles),
		r(get, "/file/:profile/*path", acc, s.fileURL),
		r(get, "/tagotest/file/:key/*path", nil, s.signedFile),
	}
	// Every collection's list, info, create, edit and delete (collection.go).
	for _, sp := range specOrder {
		rs = append(rs, sp.routes(s)...)
	}
	return rs
}

// splitPath splits a path into segments, ignoring a trailing slash.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route for a request and its wildcard values. When several patterns
// match, the one with a literal segment earliest wins (/device/token/x is the token
// list, not device "token"'s data). allowed reports whether the path exists for another
// method.
func (s *Server) match(method, p string) (rt *route, args []string, allowed bool) {
	segs := splitPath(p)
	var best *route
	for i := range s.routes {
		r := &s.routes[i]
		if !r.matches(segs) {
			continue
		}
		if r.method != method {
			allowed = true
			continue
		}
		if best == nil || r.moreLiteral(best) {
			best = r
		}
	}
	if best == nil {
		return nil, nil, allowed
	}
	for i, seg := range best.segs {
		switch {
		case strings.HasPrefix(seg, ":"):
			args = append(args, segs[i])
		case strings.HasPrefix(seg, "*"):
			args = append(args, strings.Join(segs[i:], "/"))
		}
	}
	return best, args, false
}

func (r *route) matches(segs []string) bool {
	if n := len(r.segs); n > 0 && strings.HasPrefix(r.segs[n-1], "*") {
		if len(segs) < n {
			return false
		}
	} else if len(segs) != n {
		return false
	}
	for i, seg := range r.segs {
		if strings.HasPrefix(seg, "*") {
			return true
		}
		if !strings.HasPrefix(seg, ":") && seg != segs[i] {
			return false
		}
	}
	return true
}

func (r *route) moreLiteral(o *route) bool {
	literal := func(seg string) bool { return !strings.HasPrefix(seg, ":") && !strings.HasPrefix(seg, "*") }
	for i := range min(len(r.segs), len(o.segs)) {
		a, b := literal(r.segs[i]), literal(o.segs[i])
		if a != b {
			return a
		}
	}
	return false
}
